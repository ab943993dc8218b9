from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CivicAddress")


@_attrs_define
class CivicAddress:
    """A postal-style address with the element names of RFC 4776 / RFC 5139 (country, A1..A6 administrative levels, street,
    house number, floor, room and so on) and the PIDF-LO usage rules, method and provider.

        Attributes:
            country (str | Unset):
            a1 (str | Unset):
            a2 (str | Unset):
            a3 (str | Unset):
            a4 (str | Unset):
            a5 (str | Unset):
            a6 (str | Unset):
            prd (str | Unset):
            pod (str | Unset):
            sts (str | Unset):
            hno (str | Unset):
            hns (str | Unset):
            lmk (str | Unset):
            loc (str | Unset):
            nam (str | Unset):
            pc (str | Unset):
            bld (str | Unset):
            unit (str | Unset):
            flr (str | Unset):
            room (str | Unset):
            plc (str | Unset):
            pcn (str | Unset):
            pobox (str | Unset):
            addcode (str | Unset):
            seat (str | Unset):
            rd (str | Unset):
            rdsec (str | Unset):
            rdbr (str | Unset):
            rdsubbr (str | Unset):
            prm (str | Unset):
            pom (str | Unset):
            usage_rules (str | Unset):
            method (str | Unset):
            provided_by (str | Unset):
    """

    country: str | Unset = UNSET
    a1: str | Unset = UNSET
    a2: str | Unset = UNSET
    a3: str | Unset = UNSET
    a4: str | Unset = UNSET
    a5: str | Unset = UNSET
    a6: str | Unset = UNSET
    prd: str | Unset = UNSET
    pod: str | Unset = UNSET
    sts: str | Unset = UNSET
    hno: str | Unset = UNSET
    hns: str | Unset = UNSET
    lmk: str | Unset = UNSET
    loc: str | Unset = UNSET
    nam: str | Unset = UNSET
    pc: str | Unset = UNSET
    bld: str | Unset = UNSET
    unit: str | Unset = UNSET
    flr: str | Unset = UNSET
    room: str | Unset = UNSET
    plc: str | Unset = UNSET
    pcn: str | Unset = UNSET
    pobox: str | Unset = UNSET
    addcode: str | Unset = UNSET
    seat: str | Unset = UNSET
    rd: str | Unset = UNSET
    rdsec: str | Unset = UNSET
    rdbr: str | Unset = UNSET
    rdsubbr: str | Unset = UNSET
    prm: str | Unset = UNSET
    pom: str | Unset = UNSET
    usage_rules: str | Unset = UNSET
    method: str | Unset = UNSET
    provided_by: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        a1 = self.a1

        a2 = self.a2

        a3 = self.a3

        a4 = self.a4

        a5 = self.a5

        a6 = self.a6

        prd = self.prd

        pod = self.pod

        sts = self.sts

        hno = self.hno

        hns = self.hns

        lmk = self.lmk

        loc = self.loc

        nam = self.nam

        pc = self.pc

        bld = self.bld

        unit = self.unit

        flr = self.flr

        room = self.room

        plc = self.plc

        pcn = self.pcn

        pobox = self.pobox

        addcode = self.addcode

        seat = self.seat

        rd = self.rd

        rdsec = self.rdsec

        rdbr = self.rdbr

        rdsubbr = self.rdsubbr

        prm = self.prm

        pom = self.pom

        usage_rules = self.usage_rules

        method = self.method

        provided_by = self.provided_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if country is not UNSET:
            field_dict["country"] = country
        if a1 is not UNSET:
            field_dict["A1"] = a1
        if a2 is not UNSET:
            field_dict["A2"] = a2
        if a3 is not UNSET:
            field_dict["A3"] = a3
        if a4 is not UNSET:
            field_dict["A4"] = a4
        if a5 is not UNSET:
            field_dict["A5"] = a5
        if a6 is not UNSET:
            field_dict["A6"] = a6
        if prd is not UNSET:
            field_dict["PRD"] = prd
        if pod is not UNSET:
            field_dict["POD"] = pod
        if sts is not UNSET:
            field_dict["STS"] = sts
        if hno is not UNSET:
            field_dict["HNO"] = hno
        if hns is not UNSET:
            field_dict["HNS"] = hns
        if lmk is not UNSET:
            field_dict["LMK"] = lmk
        if loc is not UNSET:
            field_dict["LOC"] = loc
        if nam is not UNSET:
            field_dict["NAM"] = nam
        if pc is not UNSET:
            field_dict["PC"] = pc
        if bld is not UNSET:
            field_dict["BLD"] = bld
        if unit is not UNSET:
            field_dict["UNIT"] = unit
        if flr is not UNSET:
            field_dict["FLR"] = flr
        if room is not UNSET:
            field_dict["ROOM"] = room
        if plc is not UNSET:
            field_dict["PLC"] = plc
        if pcn is not UNSET:
            field_dict["PCN"] = pcn
        if pobox is not UNSET:
            field_dict["POBOX"] = pobox
        if addcode is not UNSET:
            field_dict["ADDCODE"] = addcode
        if seat is not UNSET:
            field_dict["SEAT"] = seat
        if rd is not UNSET:
            field_dict["RD"] = rd
        if rdsec is not UNSET:
            field_dict["RDSEC"] = rdsec
        if rdbr is not UNSET:
            field_dict["RDBR"] = rdbr
        if rdsubbr is not UNSET:
            field_dict["RDSUBBR"] = rdsubbr
        if prm is not UNSET:
            field_dict["PRM"] = prm
        if pom is not UNSET:
            field_dict["POM"] = pom
        if usage_rules is not UNSET:
            field_dict["usageRules"] = usage_rules
        if method is not UNSET:
            field_dict["method"] = method
        if provided_by is not UNSET:
            field_dict["providedBy"] = provided_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        country = d.pop("country", UNSET)

        a1 = d.pop("A1", UNSET)

        a2 = d.pop("A2", UNSET)

        a3 = d.pop("A3", UNSET)

        a4 = d.pop("A4", UNSET)

        a5 = d.pop("A5", UNSET)

        a6 = d.pop("A6", UNSET)

        prd = d.pop("PRD", UNSET)

        pod = d.pop("POD", UNSET)

        sts = d.pop("STS", UNSET)

        hno = d.pop("HNO", UNSET)

        hns = d.pop("HNS", UNSET)

        lmk = d.pop("LMK", UNSET)

        loc = d.pop("LOC", UNSET)

        nam = d.pop("NAM", UNSET)

        pc = d.pop("PC", UNSET)

        bld = d.pop("BLD", UNSET)

        unit = d.pop("UNIT", UNSET)

        flr = d.pop("FLR", UNSET)

        room = d.pop("ROOM", UNSET)

        plc = d.pop("PLC", UNSET)

        pcn = d.pop("PCN", UNSET)

        pobox = d.pop("POBOX", UNSET)

        addcode = d.pop("ADDCODE", UNSET)

        seat = d.pop("SEAT", UNSET)

        rd = d.pop("RD", UNSET)

        rdsec = d.pop("RDSEC", UNSET)

        rdbr = d.pop("RDBR", UNSET)

        rdsubbr = d.pop("RDSUBBR", UNSET)

        prm = d.pop("PRM", UNSET)

        pom = d.pop("POM", UNSET)

        usage_rules = d.pop("usageRules", UNSET)

        method = d.pop("method", UNSET)

        provided_by = d.pop("providedBy", UNSET)

        civic_address = cls(
            country=country,
            a1=a1,
            a2=a2,
            a3=a3,
            a4=a4,
            a5=a5,
            a6=a6,
            prd=prd,
            pod=pod,
            sts=sts,
            hno=hno,
            hns=hns,
            lmk=lmk,
            loc=loc,
            nam=nam,
            pc=pc,
            bld=bld,
            unit=unit,
            flr=flr,
            room=room,
            plc=plc,
            pcn=pcn,
            pobox=pobox,
            addcode=addcode,
            seat=seat,
            rd=rd,
            rdsec=rdsec,
            rdbr=rdbr,
            rdsubbr=rdsubbr,
            prm=prm,
            pom=pom,
            usage_rules=usage_rules,
            method=method,
            provided_by=provided_by,
        )

        civic_address.additional_properties = d
        return civic_address

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
