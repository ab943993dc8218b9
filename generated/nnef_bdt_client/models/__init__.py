"""Contains all the data models used in inputs/outputs"""

from .bdt import Bdt
from .bdt_patch import BdtPatch
from .civic_address import CivicAddress
from .ecgi import Ecgi
from .ellipsoid_arc import EllipsoidArc
from .ex_notification import ExNotification
from .g_nb_id import GNbId
from .gad_shape import GADShape
from .geographical_coordinates import GeographicalCoordinates
from .global_ran_node_id import GlobalRanNodeId
from .invalid_param import InvalidParam
from .location_area import LocationArea
from .location_area_5g import LocationArea5G
from .ncgi import Ncgi
from .network_area_info import NetworkAreaInfo
from .plmn_id import PlmnId
from .point import Point
from .point_altitude import PointAltitude
from .point_altitude_uncertainty import PointAltitudeUncertainty
from .point_uncertainty_circle import PointUncertaintyCircle
from .point_uncertainty_ellipse import PointUncertaintyEllipse
from .polygon import Polygon
from .problem_details import ProblemDetails
from .supported_gad_shapes_type_0 import SupportedGADShapesType0
from .tai import Tai
from .time_window import TimeWindow
from .transfer_policy import TransferPolicy
from .uncertainty_ellipse import UncertaintyEllipse
from .usage_threshold import UsageThreshold

__all__ = (
    "Bdt",
    "BdtPatch",
    "CivicAddress",
    "Ecgi",
    "EllipsoidArc",
    "ExNotification",
    "GADShape",
    "GeographicalCoordinates",
    "GlobalRanNodeId",
    "GNbId",
    "InvalidParam",
    "LocationArea",
    "LocationArea5G",
    "Ncgi",
    "NetworkAreaInfo",
    "PlmnId",
    "Point",
    "PointAltitude",
    "PointAltitudeUncertainty",
    "PointUncertaintyCircle",
    "PointUncertaintyEllipse",
    "Polygon",
    "ProblemDetails",
    "SupportedGADShapesType0",
    "Tai",
    "TimeWindow",
    "TransferPolicy",
    "UncertaintyEllipse",
    "UsageThreshold",
)
