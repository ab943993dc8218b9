"""Contains all the data models used in inputs/outputs"""

from .access_token_err import AccessTokenErr
from .access_token_err_error import AccessTokenErrError
from .access_token_req import AccessTokenReq
from .access_token_req_grant_type import AccessTokenReqGrantType
from .bdt_policy import BdtPolicy
from .bdt_policy_data import BdtPolicyData
from .bdt_policy_data_patch import BdtPolicyDataPatch
from .bdt_req_data import BdtReqData
from .bdt_req_data_patch import BdtReqDataPatch
from .ecgi import Ecgi
from .g_nb_id import GNbId
from .global_ran_node_id import GlobalRanNodeId
from .invalid_param import InvalidParam
from .ncgi import Ncgi
from .network_area_info import NetworkAreaInfo
from .nf_type_type_0 import NFTypeType0
from .notification import Notification
from .patch_bdt_policy import PatchBdtPolicy
from .plmn_id import PlmnId
from .plmn_id_nid import PlmnIdNid
from .problem_details import ProblemDetails
from .redirect_response import RedirectResponse
from .snssai import Snssai
from .tai import Tai
from .time_window import TimeWindow
from .transfer_policy import TransferPolicy
from .usage_threshold import UsageThreshold

__all__ = (
    "AccessTokenErr",
    "AccessTokenErrError",
    "AccessTokenReq",
    "AccessTokenReqGrantType",
    "BdtPolicy",
    "BdtPolicyData",
    "BdtPolicyDataPatch",
    "BdtReqData",
    "BdtReqDataPatch",
    "Ecgi",
    "GlobalRanNodeId",
    "GNbId",
    "InvalidParam",
    "Ncgi",
    "NetworkAreaInfo",
    "NFTypeType0",
    "Notification",
    "PatchBdtPolicy",
    "PlmnId",
    "PlmnIdNid",
    "ProblemDetails",
    "RedirectResponse",
    "Snssai",
    "Tai",
    "TimeWindow",
    "TransferPolicy",
    "UsageThreshold",
)
