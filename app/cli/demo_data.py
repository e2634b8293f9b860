"""Names and places for the demonstration registers (invented; any likeness is chance).

People are drawn per country without repeating a name within a register (`People`), so the
only namesakes are the ones a register is given on purpose; companies and trusts are listed
whole.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    given: tuple[str, ...]
    family: tuple[str, ...]
    name_format: str  # from {given} and {family}
    address_format: str  # from {n}, {street} and {town}
    streets: tuple[str, ...]
    towns: tuple[str, ...]
    identifier_format: str  # from {number}
    email_domain: str | None = None  # None: no email on the register


GB = Country(
    "GB",
    ("Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Grace", "Jack",
     "Freya", "Leo", "Ivy", "Arthur", "Rosie", "Oscar", "Evie", "Alfie", "Poppy", "Theo",
     "Sophie", "Finley", "Ella", "Archie", "Lily", "Henry", "Nia", "Rhys", "Eilidh", "Callum"),
    ("Smith", "Jones", "Taylor", "Brown", "Williams", "Davies", "Evans", "Thomas", "Roberts",
     "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
     "Wood", "Harris", "Clarke", "Patel", "Khan", "MacDonald", "Campbell", "Morgan", "Price",
     "Okafor", "Nowak"),
    "{given} {family}",
    "{n} {street}, {town}",
    ("Harbour Road", "Church Street", "Station Road", "Marine Parade", "High Street"),
    ("Whitby YO21", "Leeds LS1", "York YO1", "Scarborough YO11", "Hull HU1", "Durham DH1",
     "Newcastle upon Tyne NE1", "Harrogate HG1"),
    "GB-NI-QQ{number:06d}",
    "example.co.uk",
)  # fmt: skip
IE = Country(
    "IE",
    ("Aoife", "Ciarán", "Niamh", "Seán", "Siobhán", "Oisín", "Róisín", "Cormac"),
    ("Murphy", "Kelly", "O'Brien", "Byrne", "Walsh", "Ryan", "O'Sullivan", "Doyle"),
    "{given} {family}",
    "{n} {street}, {town}",
    ("Main Street", "Quay Street", "Eyre Square", "Patrick Street"),
    ("Galway H91", "Cork T12", "Dublin 8 D08", "Limerick V94"),
    "IE-PPS-{number:07d}T",
    "example.ie",
)  # fmt: skip
FR = Country(
    "FR",
    ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Théo"),
    ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"),
    "{given} {family}",
    "{n} rue {street}, {town}",
    ("de la République", "Victor Hugo", "des Halles", "Nationale"),
    ("69002 Lyon", "33000 Bordeaux", "59800 Lille", "44000 Nantes"),
    "FR-CNI-{number:012d}",
    "example.fr",
)  # fmt: skip
DE = Country(
    "DE",
    ("Lukas", "Anna", "Felix", "Lena", "Jonas", "Marie", "Paul", "Sophie"),
    ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"),
    "{given} {family}",
    "{street} {n}, {town}",
    ("Hauptstraße", "Bahnhofstraße", "Lindenweg", "Am Markt"),
    ("20095 Hamburg", "50667 Köln", "28195 Bremen", "04109 Leipzig"),
    "DE-PA-L{number:08d}",
    "example.de",
)  # fmt: skip
US = Country(
    "US",
    ("Emily", "Michael", "Madison", "Ethan", "Hannah", "Daniel", "Olivia", "Logan"),
    ("Johnson", "Miller", "Garcia", "Anderson", "Martinez", "Lee", "Clark", "Lewis"),
    "{given} {family}",
    "{n} {street}, {town}",
    ("Maple Avenue", "Oak Street", "Pine Street", "Elm Drive"),
    ("Portland, OR 97205", "Boston, MA 02108", "Austin, TX 78701", "Seattle, WA 98101"),
    "US-PASSPORT-{number:09d}",
    "example.com",
)  # fmt: skip
CN = Country(
    "CN",
    ("伟", "娜", "敏", "洋", "静", "磊", "丽", "强", "杰", "芳", "明", "燕", "超", "琳", "军",
     "蕾", "平", "翔", "峰", "欣"),
    ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"),
    "{family}{given}",
    "{town}{street}{n}号",
    ("文三路", "南京东路", "科技园路", "中山路", "星湖街"),
    ("上海市浦东新区", "杭州市西湖区", "苏州市工业园区", "南京市鼓楼区", "深圳市南山区"),
    "CN-ID-33010619{number:08d}",
)  # fmt: skip
HK = Country(
    "HK",
    ("Ka Ming", "Wing Yan", "Chi Keung", "Mei Ling", "Ho Yin", "Suet Ying"),
    ("Chan", "Wong", "Leung", "Cheung", "Lau", "Ho"),
    "{family} {given}",
    "Flat {n}, {street}, {town}",
    ("Harbour View Mansion", "Lung Cheung Court", "Tai Koo Shing"),
    ("Kowloon", "Sha Tin", "Central"),
    "HK-HKID-K{number:06d}",
    "example.hk",
)  # fmt: skip
SG = Country(
    "SG",
    ("Wei Jie", "Hui Min", "Arjun", "Siti", "Jun Hao", "Priya"),
    ("Tan", "Lim", "Ng", "Kumar", "Rahman", "Goh"),
    "{given} {family}",
    "{n} {street}, Singapore {town}",
    ("Orchard Road", "Tampines Avenue 5", "Bukit Timah Road"),
    ("238823", "529653", "259760"),
    "SG-NRIC-S{number:07d}",
    "example.sg",
)  # fmt: skip


class People:
    """Invented people for one register: a fresh name each time, numbered identifiers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.number = 0

    def person(self, country: Country, **overrides: object) -> dict:
        self.number += 1
        rng = self.rng
        while True:
            given, family = rng.choice(country.given), rng.choice(country.family)
            name = country.name_format.format(given=given, family=family)
            if name not in self.used:
                break
        self.used.add(name)
        email = None
        if country.email_domain and rng.random() < 0.8:
            local = f"{given}.{family}".lower().replace(" ", "").replace("'", "")
            email = f"{local}@{country.email_domain}"
        details = {
            "name": name,
            "address": country.address_format.format(
                n=rng.randint(1, 120),
                street=rng.choice(country.streets),
                town=rng.choice(country.towns),
            ),
            "identifier": country.identifier_format.format(number=self.number),
            "country": country.code,
            "holder_type": "person",
            "email": email,
            "joint_holders": [],
        }
        details.update(overrides)
        self.used.add(str(details["name"]))
        return details

    def crowd(self, mix: list[tuple[Country, float]], count: int) -> list[dict]:
        """`count` people, each from a country drawn with the weights of `mix`."""
        countries = [country for country, _ in mix]
        weights = [weight for _, weight in mix]
        return [self.person(self.rng.choices(countries, weights)[0]) for _ in range(count)]


def entity(name: str, address: str, identifier: str, country: str, email: str | None = None):
    """A company, partnership or trust on the register (a trust's trustees hold for it)."""
    return {
        "name": name,
        "address": address,
        "identifier": identifier,
        "country": country,
        "holder_type": "entity",
        "email": email,
        "joint_holders": [],
    }


BREWERY_ENTITIES = [
    entity("North Yorkshire Angels LLP", "3 Coney Street, York YO1 9QL", "GB-CRN-OC412377", "GB",
           "deals@nyangels.example.co.uk"),
    entity("The Thornton Family Trust", "c/o Ellis & Co Solicitors, 8 Flowergate, Whitby YO21",
           "GB-TRUST-TR118204", "GB"),
    entity("Whitby Community Energy Ltd", "The Old Boathouse, Pier Road, Whitby YO21",
           "GB-CRN-11223344", "GB", "info@whitbyenergy.example.co.uk"),
    entity("Brouwerij de Kat B.V.", "Kattenburgerstraat 5, 1018 JA Amsterdam",
           "NL-KVK-34187652", "NL", "invest@dekat.example.nl"),
    entity("Atlantic Hop Growers Co-operative Ltd", "Ballinacurra, Midleton, Co. Cork P25",
           "IE-CRO-612345", "IE"),
]  # fmt: skip
TECH_ENTITIES = [
    entity("杭州西湖创业投资有限公司", "杭州市西湖区文三路90号",
           "CN-USCC-91330106MA27XK8Q2B", "CN"),
    entity("深圳南山科技产业基金（有限合伙）", "深圳市南山区科技园路18号",
           "CN-USCC-91440300MA5F3L7N1C", "CN"),
    entity("Lion City Capital Pte. Ltd.", "1 Raffles Place, #20-01, Singapore 048616",
           "SG-UEN-201912345K", "SG", "ops@lioncity.example.sg"),
    entity("Pacific Bridge Growth Fund LP", "251 Little Falls Drive, Wilmington, DE 19808",
           "US-EIN-84-3921765", "US"),
    entity("Victoria Harbour Holdings Ltd", "18/F, 9 Queen's Road Central, Hong Kong",
           "HK-CR-2981736", "HK"),
]  # fmt: skip
