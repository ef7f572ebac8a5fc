"""Build ``common-passwords.txt.gz`` (run by hand: ``python -m failsafe.accounts.data.generate``).

No network: the list is composed from the well-known public lists as remembered here (the most
common passwords of the RockYou, LinkedIn and Adobe breaches and the SecLists/NCSC top lists,
keyboard walks, common words and names), expanded with the mutations people actually apply
(capitals are irrelevant because checks are case-folded; digits, years and symbols appended,
words doubled or joined) until the list holds a few tens of thousands of entries.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball
abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang
1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer
trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger
sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233
george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777
pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole
chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix
william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer silver
222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111
golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy
maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey
steelers joseph mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster
tigers yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple hardcore
banana junior hannah 123654 porsche lakers iceman money cowboys 987654 london tennis 999999
ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon yamaha chester mother forever
johnny edward 333333 oliver redsox player nikita knight fender barney midnight please brandy
chicago badboy slayer rangers charles angel flower rabbit wizard bigdick jasper enter rachel
chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter prince panties marine
ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf crystal
87654321 12344321 golf 8675309 sexy jason 1q2w3e4r5t 1q2w3e4r5t6y qwerty123 password1
password123 admin admin123 root toor changeme default guest login passw0rd p@ssw0rd
welcome1 letmein1 monkey1 dragon1 iloveyou1 sunshine1 princess1 football1 baseball1
abcd1234 aa123456 qwe123 zaq12wsx 1qazxsw2 qazwsxedc asdf1234 asd123 qweasd qweasdzxc
azerty 123abc abc12345 password12 password1234 pa55word secret123 master123 test123
test1234 hello123 love123 iloveu lovely loveme 123love mylove babygirl baby angel1 flower1
butterfly superstar shadow1 soccer1 hunter2 starwars1 pokemon naruto minecraft fortnite
roblox spiderman ironman captain avengers liverpool manchester barcelona realmadrid juventus
chelsea1 arsenal1 qwertyui asdfghjkl zxcvbnm1 1234554321 147258369 159357 147258 741852963
963852741 789456123 456789 102030 010203 112358 314159 271828 8888 2222 1212 6969 4321
""".split()  # noqa: SIM905 (a word list reads better as text)

WORDS = """
access account admin alpha angel apple august autumn baby banana batman bear beauty beer
black blessed blue bond boss boston buddy butter butterfly calvin candy captain carlos
carolina casino chance change charlie cherry chocolate christ christmas cindy city classic
cloud college cooper corona crazy cricket dallas dance daniel darkness david death december
delta denver destiny devil diamond disney doctor dolphin donald dragon dream driver eagle
earth easter electric elephant elizabeth energy england escape express family fantasy
february fire flower forest freedom friend friends friday frog galaxy garden gemini ghost
giant ginger girl gold golden google grace green guitar hacker happy harry heaven hello
hockey holiday honey horse house hunter india internet island jack james january jesus
jordan july june junior justice killer king kitten knight lady laptop legend lemon liberty
light lion little london love lucky magic march marley master matrix maxwell medical
melody mercury michael mickey microsoft midnight miracle money monday monkey monster
morning mother mountain music nature ninja november ocean october office orange oxford
panda panther paradise paris party password peace peanut pepper phoenix pirate planet
player poison potato power pretty prince princess private purple queen rabbit rachel
rainbow random ranger red river rocket rock rose royal russia saturday school scorpion
secret security september shadow shark silver simple sister skater smile snake snoopy
snow soccer soldier spider spirit spring star stars steel storm summer sunday sunny
sunshine super superman surfer sweet system taylor teacher tennis thunder tiger time
tinker tomato tornado travel trinity trouble truck trust turtle united user victor victory
viking vision warrior water welcome whatever white william windows winner winter wizard
wolf women world yellow yankees zombie monkey cookie coffee cheese chicken hotdog pizza
baseball football basketball volleyball softball hockey golf tennis bowling fishing hunting
letmein iloveyou trustno1 qwerty abc passw0rd p4ssword passport sunflower strawberry
blueberry pineapple watermelon chocolate vanilla caramel cupcake sweetheart sweetie
darling precious angels heaven forever always together family1 mommy daddy grandma
grandpa brother sister husband wife children babyboy princess1 superman1 batman1
""".split()  # noqa: SIM905 (a word list reads better as text)

NAMES = """
james john robert michael william david richard joseph thomas charles christopher daniel
matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
tyler aaron jose adam nathan henry douglas zachary peter kyle noah ethan jeremy walter
christian keith roger terry austin sean gerald carl harold dylan arthur lawrence jordan
jesse bryan billy bruce gabriel joe logan alan juan albert willie elijah wayne randy vincent
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty
sandra margaret ashley kimberly emily donna michelle carol amanda melissa deborah stephanie
dorothy rebecca sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela
nicole samantha katherine christine helen debra rachel carolyn janet maria catherine heather
diane olivia julie joyce victoria ruth virginia lauren kelly christina joan evelyn judith
andrea hannah megan cheryl jacqueline martha madison teresa gloria sara janice ann kathryn
abigail sophia frances jean alice judy isabella julia grace amber denise danielle marilyn
beverly charlotte natalie theresa diana brittany doris kayla alexis lori marie
""".split()  # noqa: SIM905 (a word list reads better as text)

KEYBOARD = [
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertyuiopasdfghjkl",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv",
    "1qaz2wsx3edc",
    "qazwsxedcrfvtgb",
    "zaq1xsw2cde3vfr4",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "!qaz@wsx#edc",
    "1234567890qwertyuiop",
    "0987654321",
    "abcdefghijklmnopqrstuvwxyz",
    "abcdefghijklmnop",
    "12345678910",
    "123456789101112",
    "1234567890123456",
    "11223344556677889900",
]

SUFFIXES = [
    "",
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456",
    "!",
    "!!",
    "1!",
    "123!",
    "@123",
    "#1",
    "01",
    "69",
    "007",
    "2",
    "11",
    "13",
    "22",
    "99",
    "00",
    "?",
    ".",
    "$",
]
YEARS = [str(year) for year in range(1980, 2027)]


def _candidates() -> set[str]:
    out: set[str] = set(TOP) | set(KEYBOARD)
    stems = sorted(set(WORDS) | set(NAMES) | set(TOP))
    for stem, suffix in itertools.product(stems, SUFFIXES):
        out.add(stem + suffix)
    for stem, year in itertools.product(TOP[:150] + NAMES[:60], YEARS):
        out.add(stem + year)
    for stem in stems:
        out.add(stem * 2)
        out.add(stem * 3)
        out.add("iloveyou" + stem)
        out.add("ilove" + stem)
        out.add("my" + stem)
        out.add(stem + "password")
        out.add("password" + stem)
        out.add(stem + "123456789")
        out.add(stem + "1234567890")
        out.add(stem + "qwerty")
    for first, second in itertools.product(WORDS[:80], WORDS[:80]):
        out.add(first + second)
    for digit in "0123456789":
        for length in range(6, 21):
            out.add(digit * length)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for length in range(6, 21):
            out.add(letter * length)
    return {candidate for candidate in out if len(candidate) >= 4}


def main() -> None:
    """Write the list next to this file."""
    words = sorted(_candidates())
    target = Path(__file__).with_name("common-passwords.txt.gz")
    payload = ("\n".join(words) + "\n").encode()
    # mtime=0 keeps the file byte-identical between runs.
    target.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"{len(words)} passwords -> {target}")  # noqa: T201 (a build script)


if __name__ == "__main__":
    main()
