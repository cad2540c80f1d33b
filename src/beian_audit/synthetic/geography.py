"""Reference geography: provinces, cities, counties and their telephone area codes.

:func:`_reference` reads the bundled division and province tables
(``beian_audit/data/``) once and returns the arrays every step indexes into;
:func:`_reference_fingerprint` identifies them in the parameters of a world.

Examples
--------
>>> _short_place("延边朝鲜族自治州"), _short_place("西湖区")
('延边', '西湖')
>>> ref = _reference()
>>> len(ref.prov_name), len(ref.city_area) == len(ref.city_name)
(31, True)
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from beian_audit.errors import BeianAuditError
from beian_audit.synthetic.vocabulary import _parse_pairs

_HUBS = ("广东省", "北京市", "浙江省", "江苏省", "上海市")


# City (or municipality) GB/T 2260 code : telephone area code without the trunk 0 :
# subscriber-number length. Derived once from the phonenumbers geocoder (zh) and the
# CN fixed-line metadata; tests/test_synthetic.py checks every entry against both.
_AREA_CODES = """
110000:10:8 120000:22:8 130100:311:8 130200:315:7 130300:335:7 130400:310:7 130500:319:7
130600:312:7 130700:313:7 130800:314:7 130900:317:7 131000:316:7 131100:318:7
140100:351:7 140200:352:7 140300:353:7 140400:355:7 140500:356:7 140600:349:7
140700:354:7 140800:359:7 140900:350:7 141000:357:7 141100:358:7 150100:471:7
150200:472:7 150300:473:7 150400:476:7 150500:475:7 150600:477:7 150700:470:7
150800:478:7 150900:474:7 152200:482:7 152500:479:7 152900:483:7 210100:24:8
210200:411:8 210300:412:7 210400:24:8 210500:24:8 210600:415:7 210700:416:7 210800:417:7
210900:418:7 211000:419:7 211100:427:7 211200:24:8 211300:421:7 211400:429:7
220100:431:8 220200:432:8 220300:434:7 220400:437:7 220500:435:8 220600:439:7
220700:438:7 220800:436:7 222400:433:8 230100:451:8 230200:452:7 230300:467:7
230400:468:7 230500:469:7 230600:459:7 230700:458:7 230800:454:7 230900:464:7
231000:453:7 231100:456:7 231200:455:7 232700:457:7 310000:21:8 320100:25:8 320200:510:8
320300:516:8 320400:519:8 320500:512:8 320600:513:8 320700:518:8 320800:517:8
320900:515:8 321000:514:8 321100:511:8 321200:523:8 321300:527:8 330100:571:8
330200:574:8 330300:577:8 330400:573:8 330500:572:7 330600:575:8 330700:579:8
330800:570:7 330900:580:7 331000:576:8 331100:578:7 340100:551:8 340200:553:7
340300:552:7 340400:554:7 340500:555:7 340600:561:7 340700:562:7 340800:556:7
341000:559:7 341100:550:7 341200:558:7 341300:557:7 341500:564:7 341600:558:7
341700:566:7 341800:563:7 350100:591:8 350200:592:7 350300:594:7 350400:598:7
350500:595:8 350600:596:7 350700:599:7 350800:597:7 350900:593:7 360100:791:8
360200:798:7 360300:799:7 360400:792:7 360500:790:7 360600:701:7 360700:797:7
360800:796:7 360900:795:7 361000:794:7 361100:793:7 370100:531:8 370200:532:8
370300:533:7 370400:632:7 370500:546:7 370600:535:7 370700:536:7 370800:537:7
370900:538:7 371000:631:7 371100:633:7 371300:539:7 371400:534:7 371500:635:7
371600:543:7 371700:530:7 410100:371:8 410200:371:8 410300:379:8 410400:375:7
410500:372:7 410600:392:7 410700:373:7 410800:391:7 410900:393:7 411000:374:7
411100:395:7 411200:398:7 411300:377:8 411400:370:7 411500:376:7 411600:394:7
411700:396:7 420100:27:8 420200:714:7 420300:719:7 420500:717:7 420600:710:7
420700:711:7 420800:724:7 420900:712:7 421000:716:7 421100:713:7 421200:715:7
421300:722:7 422800:718:7 430100:731:8 430200:731:8 430300:731:8 430400:734:7
430500:739:7 430600:730:7 430700:736:7 430800:744:7 430900:737:7 431000:735:7
431100:746:7 431200:745:7 431300:738:7 433100:743:7 440100:20:8 440200:751:7
440300:755:8 440400:756:7 440500:754:8 440600:757:8 440700:750:7 440800:759:7
440900:668:7 441200:758:7 441300:752:7 441400:753:7 441500:660:7 441600:762:7
441700:662:7 441800:763:7 445100:768:7 445200:663:7 445300:766:7 450100:771:7
450200:772:7 450300:773:7 450400:774:7 450500:779:7 450600:770:7 450700:777:7
450800:775:7 450900:775:7 451000:776:7 451100:774:7 451200:778:7 451300:772:7
451400:771:7 460100:898:8 460200:898:8 460300:898:8 500000:23:8 510100:28:8 510300:813:7
510400:812:7 510500:830:7 510600:838:7 510700:816:7 510800:839:7 510900:825:7
511000:832:7 511100:833:7 511300:817:7 511400:28:8 511500:831:7 511600:826:7
511700:818:7 511800:835:7 511900:827:7 512000:28:8 513200:837:7 513300:836:7
513400:834:7 520100:851:8 520200:858:7 520300:851:8 520400:851:8 520500:857:7
520600:856:7 522300:859:7 522600:855:7 522700:854:7 530100:871:8 530300:874:7
530400:877:7 530500:875:7 530600:870:7 530700:888:7 530800:879:7 530900:883:7
532300:878:7 532500:873:7 532600:876:7 532800:691:7 532900:872:7 533100:692:7
533300:886:7 533400:887:7 540100:891:7 540200:892:7 540300:895:7 540400:894:7
540500:893:7 540600:896:7 542500:897:7 610100:29:8 610200:919:7 610300:917:7 610400:29:8
610500:913:7 610600:911:7 610700:916:7 610800:912:7 610900:915:7 611000:914:7
620100:931:7 620300:935:7 620400:943:7 620500:938:7 620600:935:7 620700:936:7
620800:933:7 620900:937:7 621000:934:7 621100:932:7 621200:939:7 622900:930:7
623000:941:7 630100:971:7 630200:972:7 632200:970:7 632300:973:7 632500:974:7
632600:975:7 632700:976:7 632800:977:7 640100:951:7 640200:952:7 640300:953:7
640400:954:7 640500:955:7 650100:991:7 650200:990:7 650400:995:7 650500:902:7
652300:994:7 652700:909:7 652800:996:7 652900:997:7 653000:908:7 653100:998:7
653200:903:7 654000:999:7 654200:901:7 654300:906:7 441900:769:8 442000:760:8
460400:898:8 620200:937:7
"""
_MUNICIPALITIES = ("110000", "120000", "310000", "500000")


@dataclass(frozen=True, slots=True)
class _Reference:
    prov_code: np.ndarray  # (31,) str GB/T 2260 province code
    prov_name: list[str]
    prov_short: list[str]
    prov_prefix: list[str]
    prov_weight: np.ndarray
    prov_is_hub: np.ndarray
    county_code: np.ndarray  # int, sorted by province then code
    county_name: list[str]
    county_short: list[str]
    county_prov: np.ndarray  # index into provinces
    county_city: np.ndarray  # index into cities
    county_weight: np.ndarray
    city_code: list[str]
    city_name: list[str]
    city_short: list[str]
    city_area: list[str]
    city_len: np.ndarray
    county_prefix: list[str]  # address prefix 浙江省杭州市西湖区 (北京市朝阳区)
    county_scope: list[str]  # 杭州市西湖区, for county-level bodies


def _data_text(name: str) -> str:
    return (resources.files("beian_audit") / "data" / name).read_text(encoding="utf-8")


def _short_place(name: str) -> str:
    """杭州市 -> 杭州, 延边朝鲜族自治州 -> 延边, 西湖区 -> 西湖, 大兴安岭地区 -> 大兴安岭."""
    if "自治" in name:
        return name[:2]
    short = re.sub(r"(市|地区|盟|区|县|旗)$", "", name)
    return short if len(short) >= 2 else name


@cache
def _reference() -> _Reference:
    provinces = pd.read_csv(io.StringIO(_data_text("provinces.csv")), dtype=str)
    divisions = pd.read_csv(io.StringIO(_data_text("divisions.csv")), dtype=str, comment="#")
    divisions = divisions.fillna("")
    prov_code = provinces["gb2260_code"].to_numpy(dtype=str)
    prov_index = {c: i for i, c in enumerate(prov_code)}
    area = {k: v.split(":") for k, v in _parse_pairs(_AREA_CODES)}

    current = divisions[divisions["current"] == "1"]
    if "grouping" in current:
        current = current[current["grouping"] != "1"]
    cities = current[(current["level"] == "city") & current["code"].str.len().eq(6)]
    cities = cities[cities["province_code"].isin(prov_index)]
    city_rows = [(c, n) for c, n in zip(cities["code"], cities["name"], strict=True)]
    for code in _MUNICIPALITIES:
        city_rows.append(
            (code, provinces.loc[provinces["gb2260_code"] == code, "province_zh"].item())
        )
    city_rows.sort()
    city_index = {c: i for i, (c, _) in enumerate(city_rows)}
    missing = [c for c, _ in city_rows if c not in area]
    if missing:  # pragma: no cover - guards the embedded table against a new division table
        raise BeianAuditError(f"no telephone area code for cities {missing}")

    counties = current[(current["level"] == "county") & current["code"].str.len().eq(6)]
    counties = counties[counties["parent_code"].isin(city_index)].sort_values("code")
    c_codes = counties["code"].to_numpy(dtype=str)
    c_names = counties["name"].tolist()
    c_prov = np.array([prov_index[p] for p in counties["province_code"]], dtype=np.int64)
    c_city = np.array([city_index[p] for p in counties["parent_code"]], dtype=np.int64)
    order = np.lexsort((c_codes.astype(np.int64), c_prov))
    weight = np.array(
        [4.0 if n.endswith("区") else 2.0 if n.endswith("市") else 1.0 for n in c_names]
    )
    prefix, scope = [], []
    prov_names = provinces["province_zh"].tolist()
    for i in order:
        city_code, city_name = city_rows[c_city[i]]
        county_name = c_names[i]
        scope.append(city_name + county_name)
        if city_code in _MUNICIPALITIES:
            prefix.append(city_name + county_name)
        else:
            prefix.append(prov_names[c_prov[i]] + city_name + county_name)
    boost = {"0100": 3.0}
    big = {"440300": 3.0, "320500": 2.0, "330200": 2.0, "350200": 2.0, "370200": 2.0}
    for i, code in enumerate(counties["parent_code"]):
        weight[i] *= big.get(code, boost.get(code[2:], 1.0))
    return _Reference(
        prov_code=prov_code,
        prov_name=provinces["province_zh"].tolist(),
        prov_short=provinces["province_short_zh"].tolist(),
        prov_prefix=provinces["icp_prefix"].tolist(),
        prov_weight=provinces["proposed_sponsor_weight_pct"].astype(float).to_numpy(),
        prov_is_hub=provinces["province_zh"].isin(_HUBS).to_numpy(),
        county_code=c_codes[order].astype(np.int64),
        county_name=[c_names[i] for i in order],
        county_short=[_short_place(c_names[i]) for i in order],
        county_prov=c_prov[order],
        county_city=c_city[order],
        county_weight=weight[order],
        city_code=[c for c, _ in city_rows],
        city_name=[n for _, n in city_rows],
        city_short=[_short_place(n) for _, n in city_rows],
        city_area=[area[c][0] for c, _ in city_rows],
        city_len=np.array([int(area[c][1]) for c, _ in city_rows], dtype=np.int64),
        county_prefix=prefix,
        county_scope=scope,
    )


def _reference_fingerprint(ref: _Reference) -> str:
    h = hashlib.sha256()
    for part in (
        ref.county_code.tobytes(),
        "|".join(ref.county_name).encode(),
        "|".join(ref.city_name).encode(),
        ref.prov_weight.tobytes(),
        "|".join(ref.prov_prefix).encode(),
    ):
        h.update(part)
    return h.hexdigest()[:16]
