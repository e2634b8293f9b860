"""Names and places for the demonstration registers (invented; any likeness is chance)."""

from __future__ import annotations

import random

GB_GIVEN = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Grace", "Jack",
    "Freya", "Leo", "Ivy", "Arthur", "Rosie", "Oscar", "Evie", "Alfie", "Poppy", "Theo",
    "Sophie", "Finley", "Ella", "Archie", "Lily", "Henry", "Nia", "Rhys", "Eilidh", "Callum",
]  # fmt: skip
GB_FAMILY = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas",
    "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards",
    "Green", "Hall", "Wood", "Harris", "Clarke", "Patel", "Khan", "MacDonald", "Campbell",
    "Morgan", "Price", "Okafor", "Nowak",
]  # fmt: skip
GB_TOWNS = [
    ("Whitby", "YO21"), ("Leeds", "LS1"), ("York", "YO1"), ("Scarborough", "YO11"),
    ("Hull", "HU1"), ("Durham", "DH1"), ("Newcastle upon Tyne", "NE1"), ("Harrogate", "HG1"),
]  # fmt: skip
GB_STREETS = ["Harbour Road", "Church Street", "Station Road", "Marine Parade", "High Street"]

CN_NAMES = [
    "王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳", "徐明",
    "孙燕", "马超", "朱琳", "胡军", "郭蕾", "何平", "高翔", "林峰", "罗欣",
]  # fmt: skip
CN_CITIES = ["上海市浦东新区", "杭州市西湖区", "苏州市工业园区", "南京市鼓楼区", "深圳市南山区"]


def gb_person(rng: random.Random, number: int) -> dict:
    given, family = rng.choice(GB_GIVEN), rng.choice(GB_FAMILY)
    town, postcode = rng.choice(GB_TOWNS)
    return {
        "name": f"{given} {family}",
        "address": f"{rng.randint(1, 120)} {rng.choice(GB_STREETS)}, {town} {postcode}",
        "identifier": f"GB-NI-{number:06d}",
        "country": "GB",
        "holder_type": "person",
        "email": f"{given}.{family}.{number}@example.com".lower(),
        "joint_holders": [],
    }


def cn_person(rng: random.Random, number: int) -> dict:
    city = rng.choice(CN_CITIES)
    return {
        "name": rng.choice(CN_NAMES),
        "address": f"{city}{rng.randint(1, 999)}号",
        "identifier": f"CN-ID-{number:06d}",
        "country": "CN",
        "holder_type": "person",
        "email": None,
        "joint_holders": [],
    }
