"""Understanding residents' messages: intents, categories, topics, flags, locations and keywords."""

import json
from pathlib import Path

import orjson
import pytest

from handlers.understand import KEYWORDS, Location, Understanding, understand
from models.vocabulary import Category, Intent, Topic

DATA = Path(__file__).resolve().parents[1] / "data"
DEV = DATA / "nlu_dev.jsonl"
# The development data (tuned and trained on); nlu_holdout2.jsonl is held out and no test reads it.
DEVELOPMENT = (DEV, DATA / "nlu_holdout.jsonl", DATA / "nlu_dev2.jsonl")
DUSUN = ("Krajan", "Sukamulya", "Cibodas", "Karang Anyar")


# --- keywords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "keyword"),
    [
        ("ADUAN jalan di rt 3 rusak", Intent.COMPLAINT, "ADUAN"),
        ("lapor, lampu jalan mati", Intent.COMPLAINT, "ADUAN"),
        ("CEK 482913", Intent.STATUS, "CEK"),
        ("status 120456", Intent.STATUS, "CEK"),
        ("JADWAL", Intent.INFO, "JADWAL"),
        ("DANA", Intent.INFO, "DANA"),
        ("apbdes", Intent.INFO, "DANA"),
        ("SANKSI", Intent.INFO, "SANKSI"),
        ("keputusan", Intent.INFO, "SANKSI"),
        ("PROGRAM", Intent.INFO, "PROGRAM"),
        ("LAYANAN", Intent.INFO, "LAYANAN"),
        ("DAFTAR", Intent.SUBSCRIBE, "DAFTAR"),
        ("REG", Intent.SUBSCRIBE, "DAFTAR"),
        ("MULAI", Intent.SUBSCRIBE, "DAFTAR"),
        ("BERHENTI", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("STOP", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("UNREG", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("MENU", Intent.HELP, "MENU"),
        ("BANTUAN", Intent.HELP, "MENU"),
        ("help", Intent.HELP, "MENU"),
        ("Selamat pagi pak, JADWAL", Intent.INFO, "JADWAL"),
    ],
)
def test_keywords(text: str, intent: Intent, keyword: str) -> None:
    u = understand(text)
    assert (u.intent, u.keyword) == (intent, keyword)


@pytest.mark.parametrize(
    ("text", "intent", "keyword"),
    [
        ("ADUN pelayanan desa lambat", Intent.COMPLAINT, "ADUAN"),  # a letter missing
        ("lapr: saluran irigasi jebol", Intent.COMPLAINT, "ADUAN"),
        ("jadwl musdes bulan ini", Intent.INFO, "JADWAL"),
        ("STATSU 482913", Intent.STATUS, "CEK"),  # two letters swapped
        ("progam", Intent.INFO, "PROGRAM"),
        ("layanaan", Intent.INFO, "LAYANAN"),  # a letter too many
        ("daftra", Intent.SUBSCRIBE, "DAFTAR"),
        ("berenti", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("BERHNTI", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("unrge", Intent.UNSUBSCRIBE, "BERHENTI"),
        ("menuu", Intent.HELP, "MENU"),
        ("sangsi", Intent.INFO, "SANKSI"),
        ("apbdesa 2025", Intent.INFO, "DANA"),
    ],
)
def test_keyword_typos(text: str, intent: Intent, keyword: str) -> None:
    u = understand(text)
    assert (u.intent, u.keyword) == (intent, keyword)


@pytest.mark.parametrize(
    "text",
    [
        "data penerima blt salah",  # "data" is a word, not a typo of DANA
        "mana laporan saya yang kemarin?",  # nor is "mana"
        "dan lagi lampu jalan mati",
        "saksi mata melihat maling motor",  # nor "saksi" of SANKSI
    ],
)
def test_words_near_keywords_are_not_keywords(text: str) -> None:
    assert understand(text).keyword is None


def test_keyword_overridden_by_content_is_dropped() -> None:
    u = understand("dana bansos saya dipotong 100rb sama pak RT")
    assert (u.intent, u.category, u.keyword) == (Intent.COMPLAINT, Category.BANSOS, None)


def test_keyword_table_is_canonical() -> None:
    assert set(KEYWORDS.values()) == {
        "ADUAN",
        "CEK",
        "JADWAL",
        "DANA",
        "SANKSI",
        "PROGRAM",
        "LAYANAN",
        "DAFTAR",
        "BERHENTI",
        "MENU",
    }


# --- complaints without a keyword ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("lampu jalan di RT 3 mati sdh seminggu", Category.INFRASTRUKTUR),
        (
            "jembatan penghubung ke dusun sebelah putus, anak sekolah harus memutar jauh",
            Category.INFRASTRUKTUR,
        ),
        ("dalane rusak, akeh lubange, mbok didandani", Category.INFRASTRUKTUR),
        ("selokan depan rumah sy mampet, air meluber ke jalan kalau hujan", Category.INFRASTRUKTUR),
        ("air PDAM keruh kecoklatan sejak 3 hari", Category.AIR_SANITASI),
        ("cai PAM di lembur kami tos saminggu teu ngocor", Category.AIR_SANITASI),
        ("warga msh buang air besar di sungai krn gk punya jamban", Category.AIR_SANITASI),
        ("ada wabah demam berdarah di kampung kami, 5 orang dirawat", Category.KESEHATAN),
        ("bidan desa jarang di tempat, ibu hamil susah periksa", Category.KESEHATAN),
        ("gedung PAUD bocor, anak2 belajar kehujanan", Category.PENDIDIKAN),
        ("guru ngaji TPQ gk dapat honor sudah setahun", Category.PENDIDIKAN),
        ("harga pupuk di kios resmi lebih mahal dari HET", Category.EKONOMI),
        ("BUMDes gak pernah bagi hasil ke desa, usahanya gak jelas", Category.EKONOMI),
        ("ada yang membuang limbah pabrik ke sawah, padi jadi kuning", Category.LINGKUNGAN),
        ("runtah numpuk di sisi jalan, teu aya nu ngangkut", Category.LINGKUNGAN),
        ("tanah longsor menimbun 2 rumah warga tadi subuh", Category.BENCANA),
        ("BANJIR!!! air masuk rumah sepinggang, tolong evakuasi lansia", Category.BENCANA),
        ("nama saya hilang dari daftar penerima BLT padahal masih miskin", Category.BANSOS),
        ("pendamping PKH minta uang 20rb tiap pencairan", Category.BANSOS),
        ("bikin KK baru di desa lama banget, sudah sebulan belum jadi", Category.ADMINISTRASI),
        ("surat keterangan tidak mampu sy ditolak tanpa alasan yang jelas", Category.ADMINISTRASI),
        ("penggunaan dana desa tidak pernah diumumkan ke warga", Category.TATA_KELOLA),
        ("BPD tidak pernah mengadakan rapat menampung aspirasi warga", Category.TATA_KELOLA),
        ("sepeda motor warga hilang dicuri semalam di depan rumah", Category.KEAMANAN),
        ("anak2 remaja balapan liar pakai knalpot brong tiap sore", Category.KEAMANAN),
        ("sinyal internet di dusun kami hilang terus, susah buat anak sekolah online", Category.LAINNYA),
        ("pengeras suara masjid terlalu keras jam 3 pagi", Category.LAINNYA),
    ],
)
def test_complaints_without_keyword(text: str, category: Category) -> None:
    u = understand(text)
    assert (u.intent, u.category) == (Intent.COMPLAINT, category)


@pytest.mark.parametrize(
    "text",
    [
        "kapan jalan diperbaiki? sdh rusak 2 bulan",  # a question word, but a problem
        "kok BLT saya belum cair sampai sekarang?",
        "kenapa bikin surat domisili harus bayar 25rb?",
        "air pamsimas kapan nyala lagi? sudah 5 hari mati",
    ],
)
def test_complaints_phrased_as_questions(text: str) -> None:
    assert understand(text).intent is Intent.COMPLAINT


@pytest.mark.parametrize("text", ["ADUAN", "lapor", "Pak mau lapor", "mau ngadu bu, boleh?"])
def test_bare_complaint_has_no_category_or_detail(text: str) -> None:
    u = understand(text)
    assert (u.intent, u.category, u.detail) == (Intent.COMPLAINT, None, "")


def test_complaint_with_detail_but_no_clear_category_is_lainnya() -> None:
    u = understand("ADUAN ada yang aneh di desa kami pak")
    assert (u.intent, u.category) == (Intent.COMPLAINT, Category.LAINNYA)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "Assalamualaikum pak, mau lapor jalan di dusun Krajan berlubang",
            "jalan di dusun Krajan berlubang",
        ),
        ("ADUAN: MCK umum rusak", "MCK umum rusak"),
        ("ADUAN RAHASIA: kepala desa menjual tanah kas desa", "kepala desa menjual tanah kas desa"),
        ("lampu jalan mati", "lampu jalan mati"),
        ("Pak Kades jarang di kantor", "Pak Kades jarang di kantor"),  # "Pak" belongs to the title here
        ("saya tidak dapat BLT padahal miskin", "saya tidak dapat BLT padahal miskin"),
        (
            "sy mau lapor tp jangan sebut nama sy. Bu kades memaksa warga milih calon tertentu",
            "Bu kades memaksa warga milih calon tertentu",
        ),
    ],
)
def test_detail_keeps_the_residents_words(text: str, detail: str) -> None:
    assert understand(text).detail == detail


# --- information -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("kapan musdes?", Topic.JADWAL),
        ("musdes bulan ini tanggal berapa ya pak?", Topic.JADWAL),
        ("iraha musyawarah dusun teh?", Topic.JADWAL),
        ("berapa anggaran dana desa tahun 2025?", Topic.DANA_DESA),
        ("dana desa tahun ini dialokasikan buat apa saja pak", Topic.DANA_DESA),
        ("apa hasil musyawarah kemarin soal iuran sampah?", Topic.KEPUTUSAN),
        ("sanksi bagi warga yang tidak ikut ronda apa?", Topic.KEPUTUSAN),
        ("ada program bantuan modal usaha untuk UMKM?", Topic.PROGRAM),
        ("BLT kapan cair?", Topic.PROGRAM),
        ("syarat bikin akta kelahiran apa saja?", Topic.LAYANAN),
        ("kantor desa buka jam berapa?", Topic.LAYANAN),
        # QA: office hours without a question word were a complaint ticket; Posyandu is a programme,
        # not a meeting; "cara daftar" before a programme asks about the programme, not the menu.
        ("jam buka kantor desa", Topic.LAYANAN),
        ("kapan posyandu?", Topic.PROGRAM),
        ("posyandu buka hari apa ya", Topic.PROGRAM),
        ("cara daftar BLT gimana", Topic.PROGRAM),
        ("cara daftar KTP", Topic.LAYANAN),
    ],
)
def test_information_requests(text: str, topic: Topic) -> None:
    u = understand(text)
    assert (u.intent, u.topic, u.category) == (Intent.INFO, topic, None)


@pytest.mark.parametrize(
    ("text", "topic", "page"),
    [
        ("DANA 2", Topic.DANA_DESA, 2),
        ("JADWAL 3", Topic.JADWAL, 3),
        ("SANKSI", Topic.KEPUTUSAN, None),
        ("APBDES 2025", Topic.DANA_DESA, None),  # a year, not a page
    ],
)
def test_information_pages(text: str, topic: Topic, page: int | None) -> None:
    u = understand(text)
    assert (u.intent, u.topic, u.page) == (Intent.INFO, topic, page)


# --- status, subscription, help, other -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CEK 482913", "482913"),
        ("cek#307514", "307514"),
        ("status laporan 482913", "482913"),
        ("kode aduan sy 558012, sdh sampe mana", "558012"),
        ("aduan 334455 gimana?", "334455"),
        ("482913", "482913"),
        ("CEK", None),
        ("laporan sy kmrn gmn?", None),
        ("bagaimana perkembangan aduan saya tentang jalan rusak?", None),
        ("Sugeng enjing, aduan kula babagan sampah wis ditindaklanjuti durung?", None),
    ],
)
def test_status_requests(text: str, code: str | None) -> None:
    u = understand(text)
    assert (u.intent, u.code) == (Intent.STATUS, code)


def test_code_only_read_for_status() -> None:
    u = understand("ADUAN pungutan surat tanah 150.000 padahal gratis")
    assert (u.intent, u.code) == (Intent.COMPLAINT, None)


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("DAFTAR", ()),
        ("DAFTAR JADWAL DANA", (Topic.JADWAL, Topic.DANA_DESA)),
        ("reg program sanksi program", (Topic.PROGRAM, Topic.KEPUTUSAN)),
        ("sy mau berlangganan pengumuman desa", ()),
        ("tolong kirimi saya info dari desa biar gk ketinggalan", ()),
    ],
)
def test_subscribe(text: str, topics: tuple[Topic, ...]) -> None:
    u = understand(text)
    assert (u.intent, u.topics) == (Intent.SUBSCRIBE, topics)


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop.",
        "UNREG",
        "unreg info",
        "BERHENTI",
        "Berhenti berlangganan",
        "jangan kirim sms lagi",
        "tolong hapus nomor saya dr daftar penerima",
        "ampun ngirim sms maneh nggih",
        "tong dikirim deui sms na",
        "STOP!!! SMS TERUS TENGAH MALAM GANGGU ORANG TIDUR",
    ],
)
def test_unsubscribe(text: str) -> None:
    assert understand(text).intent is Intent.UNSUBSCRIBE


@pytest.mark.parametrize(
    "text",
    [
        "MENU",
        "menu?",
        "bantuan?",
        "HELP",
        "ini nomor apa?",
        "cara lapor gimana",
        "gmn caranya cek laporan",
        "cara daftar",
    ],
)
def test_help(text: str) -> None:
    assert understand(text).intent is Intent.HELP


@pytest.mark.parametrize(
    "text",
    [
        "terima kasih jalannya sudah diperbaiki",
        "makasih bu 🙏",
        "hatur nuhun pisan pak",
        "ok siap",
        "selamat pagi",
        "SELAMAT! Nomor Anda mendapatkan hadiah 1 unit motor dari undian. Hub 0812xxxx utk klaim",
        "pinjaman dana cepat cair tanpa jaminan, bunga rendah, hub WA 0857-1234-5678",
        "DANA tunai cair cepat tanpa agunan, minat balas YA",  # a scam that starts with a keyword
        "Mama lg di kantor polisi, tlg kirim pulsa 100rb ke nomor ini dulu",
        "Anda terpilih penerima BLT Rp 3.000.000, isi data di link bansos-kemensos.xyz",
        "maaf salah nomer",
    ],
)
def test_other(text: str) -> None:
    assert understand(text).intent is Intent.OTHER


# --- about the head, anonymity, confidentiality ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "about_head"),
    [
        ("kades jarang di kantor", True),
        ("pak kades pakai mobil dinas buat antar anaknya kuliah", True),
        ("pak lurah korupsi dana bumdes, uangnya buat beli mobil pribadi", True),
        ("perangkat desa yg baru diangkat itu keponakannya pak lurah semua", True),
        ("punten, pa kuwu teu pernah aya di kantor", True),
        ("kepala desa mengangkat istrinya jadi bendahara desa", True),
        ("istri kades ikut atur bansos", True),  # his family, his doing
        ("geuchik potong bantuan blt", True),  # Aceh
        ("anak pak kades dapat BLT padahal mampu", True),
        ("pak kades tolong potong pohon tumbang di jalan RT 2", False),
        ("tolong pak kades atur jadwal posyandu", False),
        ("tolong pak kades perbaiki jalan ke makam, sdh rusak", False),
        ("pak kades tolong bantu warga korban angin ribut", False),
        ("sekdes sering mabuk2an di balai desa", False),  # an official, not the head
        ("jalan di rt 3 rusak parah", False),
    ],
)
def test_about_head(text: str, about_head: bool) -> None:
    u = understand(text)
    assert u.intent is Intent.COMPLAINT
    assert u.about_head is about_head


def test_about_head_only_for_complaints() -> None:
    u = understand("pak kades kapan ngadain musdes lagi? warga mau usul")
    assert (u.intent, u.about_head) == (Intent.INFO, False)


@pytest.mark.parametrize(
    ("text", "anonymous", "confidential"),
    [
        ("ADUAN RAHASIA: ada judi sabung ayam tiap minggu", False, True),
        ("ADUAN anonim: ada pungli di kantor desa", True, False),
        ("sy minta nama sy dirahasiakan. pak kuwu minta setoran 1jt", True, False),
        ("sy mau lapor tp jangan sebut nama sy. kades memaksa warga", True, False),
        ("mohon dirahasiakan identitas sy. ada pesta miras tiap malam", True, False),
        ("lampu jalan mati", False, False),
    ],
)
def test_flags(text: str, anonymous: bool, confidential: bool) -> None:
    u = understand(text)
    assert u.intent is Intent.COMPLAINT
    assert (u.anonymous, u.confidential) == (anonymous, confidential)


# --- locations --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("lampu jalan di RT 3 mati", Location(rt=3)),
        ("jalan rt03 rusak", Location(rt=3)),
        ("banjir di rt.3 rw.2", Location(rw=2, rt=3)),
        ("drainase di rt2/rw1 gk ada", Location(rw=1, rt=2)),
        ("RT 002 RW 005 lampu mati", Location(rw=5, rt=2)),
        ("rt 02/05 banjir", Location(rw=5, rt=2)),
        ("tandon bocor, air ke RT 1 dan RT 2 berhenti", Location()),  # two RTs: no single place
        ("jalan di dusun Krajan berlubang", Location(dusun="Krajan")),
        ("LONGSOR DI DSN SUMBERSARI", Location(dusun="Sumbersari")),
        ("korban banjir di dusun kami blm dapat bantuan", Location()),
        ("tawuran antar pemuda dsn Lor dan dsn Kidul", Location()),
    ],
)
def test_locations_without_known_dusun(text: str, location: Location) -> None:
    assert understand(text).location == location


@pytest.mark.parametrize(
    ("text", "dusun"),
    [
        ("banjir di krajan", "Krajan"),
        ("dsn krajan jalannya rusak", "Krajan"),
        ("lampu mati di CIBODAS rt 4", "Cibodas"),
        ("jalan ke karang anyar longsor", "Karang Anyar"),
        ("jalan di dusun Tegalrejo rusak", "Tegalrejo"),  # not in the list: the word after "dusun"
        ("banjir di krajan dan cibodas", None),
    ],
)
def test_locations_with_known_dusun(text: str, dusun: str | None) -> None:
    assert understand(text, dusun_names=DUSUN).location.dusun == dusun


def test_dusun_names_may_be_a_list() -> None:
    assert understand("banjir di krajan", dusun_names=list(DUSUN)).location.dusun == "Krajan"


# --- odd input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "😀😀", "🙏🙏🙏", "...", "👍👍"])
def test_empty_or_emoji_only_is_other(text: str) -> None:
    assert understand(text) == Understanding(intent=Intent.OTHER)


def test_long_text() -> None:
    text = ("Assalamualaikum pak, jalan di RT 3 rusak parah, banyak lubang. " * 30)[:1600]
    u = understand(text)
    assert len(text) == 1600
    assert (u.intent, u.category, u.location.rt) == (Intent.COMPLAINT, Category.INFRASTRUKTUR, 3)


def test_long_gibberish() -> None:
    assert understand("x" * 1600).intent is Intent.OTHER


def test_all_caps_reads_like_lower_case() -> None:
    text = "lampu jalan di rt 3 mati sdh seminggu, gelap bgt kalo malam"
    upper, lower = understand(text.upper()), understand(text)
    assert (upper.intent, upper.category, upper.location) == (lower.intent, lower.category, lower.location)
    assert upper.detail == text.upper()


def test_as_dict_is_json_ready() -> None:
    u = understand("ADUAN RAHASIA jalan di dsn Krajan rt 3 rw 2 rusak, jangan sebut nama saya")
    d = u.as_dict()
    assert json.loads(orjson.dumps(d)) == {
        "intent": "complaint",
        "category": "infrastruktur",
        "topic": None,
        "about_head": False,
        "anonim": True,
        "rahasia": True,
        "location": {"dusun": "Krajan", "rw": 2, "rt": 3},
        "keyword": "ADUAN",
        "code": None,
        "page": None,
        "topics": [],
    }
    assert type(d["intent"]) is str


def test_as_dict_for_subscription_topics() -> None:
    d = understand("DAFTAR JADWAL DANA").as_dict()
    assert (d["intent"], d["topics"], d["keyword"]) == ("subscribe", ["jadwal", "dana_desa"], "DAFTAR")


# --- phrasings beyond the keywords --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a declared report is as good as the keyword, in any of the languages
        ("mau lapor pak, ada pohon tumbang nutup jalan", Intent.COMPLAINT),
        ("Kula badhe wadul, dalan teng dusun Ngasem rusak parah", Intent.COMPLAINT),
        ("abdi bade ngadu, cai teu ngocor tos saminggu", Intent.COMPLAINT),
        ("mau lapor, laporan saya kemarin sudah sampai mana?", Intent.STATUS),
        # status, help, subscription and opting out, as residents phrase them
        ("gimana kabar laporan saya soal got mampet?", Intent.STATUS),
        ("laporane kulo pripun pak?", Intent.STATUS),
        ("ini nomor resmi desa bukan?", Intent.HELP),
        ("carane lapor piye?", Intent.HELP),
        ("kumaha carana ngadu?", Intent.HELP),
        ("gimana caranya ya min?", Intent.HELP),
        ("saya ingin menerima informasi dari desa", Intent.SUBSCRIBE),
        ("hoyong kenging info ti desa", Intent.SUBSCRIBE),
        ("gabung", Intent.SUBSCRIBE),
        ("ikut", Intent.SUBSCRIBE),
        ("udh cukup, jgn dikirimi lagi", Intent.UNSUBSCRIBE),
        ("wis, ora usah dikirimi pengumuman maneh", Intent.UNSUBSCRIBE),
        ("nonaktifkan sms dari desa", Intent.UNSUBSCRIBE),
        ("sy sudah tidak tinggal di desa ini, hapus nomor sy", Intent.UNSUBSCRIBE),
        # chat and spam stay "other"
        ("wkwkwk siap bos", Intent.OTHER),
        ("Dijual tanah kavling murah, SHM, bisa dicicil. hub 0813xxxx", Intent.OTHER),
        # "bantuan" opening a question is a word, not the MENU keyword
        ("bantuan bibit dari desa kapan dibagi?", Intent.INFO),
    ],
)
def test_phrasings(text: str, intent: Intent) -> None:
    assert understand(text).intent is intent


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("sapi warga raib semalam", Category.KEAMANAN),
        ("motor sy ical wonten ngajeng griya", Category.KEAMANAN),
        ("ayam2 warga pada mati mendadak, mungkin flu burung", Category.EKONOMI),
        ("siaran TV digital gk nyampe ke dusun kami", Category.LAINNYA),
        ("bukit di belakang desa dikeruk buat tanah urug, sekarang gundul", Category.LINGKUNGAN),
        ("nama sy dicoret dr penerima BLT tanpa alasan", Category.BANSOS),
        ("proyek jalan desa dapat karena kontraktornya nyogok", Category.TATA_KELOLA),
        ("parkir di pasar desa tanpa karcis, ditarik 5 ribu", Category.TATA_KELOLA),
    ],
)
def test_categories_from_wider_lexicons(text: str, category: Category) -> None:
    u = understand(text)
    assert (u.intent, u.category) == (Intent.COMPLAINT, category)


# --- how residents really write (issue 12) --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # the head's conduct, in the many ways he is named
        "pak kades jarang di kantor, surat2 numpuk",
        "bu kades pakai dana desa buat beli mobil pribadi",
        "kepala desa kami tidak transparan soal ADD tahun ini",
        "pak lurah minta uang 300rb buat tanda tangan surat tanah",
        "lurahnya susah ditemui, sudah 3 hari saya bolak balik",
        "perbekel tidak mau tanda tangan surat pengantar saya",
        "keuchik kami tidak pernah ada di kantor",
        "wali nagari memotong dana bantuan warga",
        "kepala kampung mengancam warga yang protes soal jalan",
        "hukum tua menjual tanah desa ke pengusaha tanpa musyawarah",
        "pambakal kada suah ada di kantor",
        "kepala lembang pakai mobil desa untuk keperluan pribadi",
        "pak petinggi sering marah2 kalau warga tanya soal anggaran",
        "yang mimpin desa malah sibuk kampanye partai",
        "pimpinan desa kami tidak transparan soal dana desa",
        "kades kami pakai ADD buat renovasi rumahnya sendiri",
        "Pak lurah meminta biaya 500 ribu untuk legalisir, tanpa kwitansi",
        # his family and his business
        "keponakan pak lurah diangkat jadi perangkat tanpa seleksi",
        "proyek talud dikerjakan CV punya adik pak kades, hasilnya asal jadi",
        "daftar penerima BLT dibuat pak kades, isinya keluarganya sendiri",
        # done by him, said after the deed
        "surat saya sudah 2 minggu belum ditandatangani oleh pak lurah",
        "traktor bantuan dinas telah di jual oleh pihak atas nama kades",
        # misspelt, as typed in a hurry
        "pak lurah menpersulit pembuatan surat keterangan tidak mampu",
        "kepala desa itu menyrobot sertipikat tanah warga",
        # named as the one to investigate, report or sack; the complaint aimed at him
        "tolong usut kepala desa kami atas dugaan korupsi ADD",
        "saya melaporkan kades sukamaju yang memotong BLT warga 50rb per orang",
        "keluhan ini tertuju kepada pak lurah yg mempersulit surat ahli waris",
        # one of a list of the accused
        "kades, ketua tpk, bendahara dan sekdes menyalahgunakan dana desa",
        "geuchik kami menjual tanah gampong tanpa musyawarah",
        "pambakal menggelapkan dana bantuan banjir",
        "klebun minta uang 500rb buat surat tanah",
        # a story whose fault words stand far from his name: the learned model reads it
        "Sudah 3 kali saya ke balai desa untuk urus surat tanah. Selalu disuruh balik besok. Pak kades "
        "katanya sibuk, padahal kelihatan main catur di warung.",
        "Pembangunan jalan desa tahun ini cuma setengah jadi. Anggarannya katanya 200 juta. Kepala desa "
        "kami baru beli mobil baru.",
    ],
)
def test_about_head_in_any_form_of_address(text: str) -> None:
    u = understand(text)
    assert (u.intent, u.about_head) == (Intent.COMPLAINT, True)


@pytest.mark.parametrize(
    "text",
    [
        # he is asked to act, told, or copied
        "pak kades tolong perbaiki jalan ke makam, sudah rusak setahun",
        "mohon pak lurah segera memperbaiki saluran yang mampet di RT 4",
        "sudah lapor ke pak lurah tapi lampu jalan masih mati",
        "pak RT minta uang buat surat pengantar, tembusan kepada pak kades",
        # someone else is at fault
        "sekdes judes kalau melayani warga",
        "surat saya dipersulit oleh ketua RT, pak lurah mohon dibantu",
        "sekretaris lurah tidak mau tanda tangan surat saya",
        "staf kantor kades sering telat buka pelayanan",
        "pak kades, sekdes korupsi dana desa",
        "pak kades, tetangga saya tidak mau bayar iuran sampah",
        "lapor pak lurah, sampah di gang 3 belum diangkut seminggu",
        "pak kades, anak2 muda balap liar tiap malam di jalan desa",
        "rumah pak kades kebanjiran, warga sekitar juga, tolong dibantu",
        # his office, his signature, or the post changing hands
        "surat dari kantor lurah belum jadi sudah sebulan",
        "ada yang memalsukan tanda tangan lurah di surat jual beli tanah",
        "surat pindah saya tertunda karena lurahnya mau ganti",
        "jalan depan rumahnya pak kades rusak parah",
        "got di samping rumah pak lurah mampet, baunya sampai ke jalan",
    ],
)
def test_naming_the_head_is_not_blaming_him(text: str) -> None:
    u = understand(text)
    assert u.intent is Intent.COMPLAINT
    assert u.about_head is False


@pytest.mark.parametrize(
    "text",
    [
        "pak mau lapor soal kades, tp jgn sebut nama sy ya",
        "mau lapor kades tapi rahasiakan nama saya",
        "jangan sebut nama saya, kades pungut biaya 500rb buat surat tanah",
        "pak kades, tolong rahasiakan identitas saya, ada yg main judi di pos ronda",
    ],
)
def test_naming_the_head_and_asking_not_to_be_named_keeps_the_report_from_him(text: str) -> None:
    # Issue 11, item 6: in either order, with or without a fault word near his name.
    u = understand(text)
    assert (u.intent, u.about_head) == (Intent.COMPLAINT, True)
    assert u.anonymous or u.confidential


@pytest.mark.parametrize(
    "text",
    [
        # the head in a list of those asked, and words one letter from a fault ("semaunya", "memangku")
        "saya sudah tanya RT, RW, lurah dan camat, semuanya memberikan jawaban yang berbeda",
        "jalan ditutup, apa sudah ada izin pemangku kepentingan seperti lurah, camat dan dinas perhubungan",
    ],
)
def test_a_list_of_those_asked_is_not_blame(text: str) -> None:
    assert understand(text).about_head is False


@pytest.mark.parametrize(
    "text",
    [
        "apakah pak lurah memang tidak pernah ada di kantor? sudah 3 kali saya datang tidak bisa ketemu",
        "kenapa pak kades tidak mau tanda tangan surat saya?",
    ],
)
def test_a_question_that_blames_the_head_is_a_complaint_about_him(text: str) -> None:
    u = understand(text)
    assert (u.intent, u.about_head) == (Intent.COMPLAINT, True)


def test_the_heads_conduct_is_governance_even_when_it_is_about_a_letter() -> None:
    u = understand("bu lurah tidak mau tanda tangan surat ahli waris saya, alasannya tidak jelas")
    assert (u.about_head, u.category) == (True, Category.TATA_KELOLA)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # "keluar", "berhenti", "stop" inside a sentence about something else
        ("anak sy di-PHK, disuruh keluar sama bosnya, tolong dibantu", Intent.COMPLAINT),
        ("pak RT keluar kota terus, surat pengantar tidak bisa diurus", Intent.COMPLAINT),
        ("pembangunan talud berhenti di tengah jalan, material ditinggal", Intent.COMPLAINT),
        ("tolong carikan jalan keluar, sawah kami kebanjiran tiap tahun", Intent.COMPLAINT),
        # "bantuan", "caranya", "daftar" asking about something else
        ("kalau mau ajukan bantuan bibit gimana syaratnya?", Intent.INFO),
        ("bantuan bedah rumah tahun ini kapan dibagi?", Intent.INFO),
        # the service's own words still work
        ("keluar", Intent.UNSUBSCRIBE),
        ("berisik tiap hari sms, keluarin aja", Intent.UNSUBSCRIBE),
        ("stop kirim pengumuman ke nomor ini", Intent.UNSUBSCRIBE),
        ("gimana caranya?", Intent.HELP),
        ("format sms utk lapor apa?", Intent.HELP),
        ("mau terima sms pengumuman rapat", Intent.SUBSCRIBE),
    ],
)
def test_opt_out_and_help_are_read_from_the_whole_message(text: str, intent: Intent) -> None:
    assert understand(text).intent is intent


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("listrik byar pet terus dari kemarin di dusun Krajan", Category.INFRASTRUKTUR),
        ("listrik nyala mati tiap malam, kulkas warga rusak", Category.INFRASTRUKTUR),
        ("mati lampu sudah 2 hari di RT 4, PLN belum datang", Category.INFRASTRUKTUR),
        ("PJU depan masjid mati semua", Category.INFRASTRUKTUR),
        ("anak saya kena DBD, banyak nyamuk di selokan", Category.KESEHATAN),
        ("warga banyak kena chikungunya, mohon fogging", Category.KESEHATAN),
        ("harga sembako naik terus, warga susah", Category.EKONOMI),
        ("gas melon langka sudah seminggu di warung", Category.EKONOMI),
        ("pupuk langka pas musim tanam, petani bingung", Category.EKONOMI),
        ("gaji buruh pabrik di desa belum dibayar 2 bulan", Category.EKONOMI),
        ("nuwun sewu pak, dalan teng dusun Krajan rusak parah", Category.INFRASTRUKTUR),
        ("banyune mampet wis telung dina", Category.AIR_SANITASI),
        ("punten, jalan di lembur abdi rusak pisan", Category.INFRASTRUKTUR),
        ("jalan ke sawah kagak bisa dilewatin, becek banget", Category.INFRASTRUKTUR),
        ("tukang parkir minta 5 ribu padahal karcisnya 2 ribu", Category.TATA_KELOLA),
        ("PKL jualan di badan jalan, mohon ditertibkan", Category.KEAMANAN),
        ("pohon di depan sekolah rimbun sekali, mohon perantingan", Category.LINGKUNGAN),
        (
            "Assalamualaikum wr wb, mohon maaf mengganggu waktunya bapak, saya warga RT 3 ingin "
            "menyampaikan bahwa lampu jalan di gang kami mati sudah dua minggu",
            Category.INFRASTRUKTUR,
        ),
        # several problems: the main one asked to be fixed, not the first topic mentioned
        ("waktu belanja di pasar desa hp saya dicuri orang", Category.KEAMANAN),
    ],
)
def test_slang_and_regional_words_for_categories(text: str, category: Category) -> None:
    u = understand(text)
    assert (u.intent, u.category) == (Intent.COMPLAINT, category)


@pytest.mark.parametrize(
    "text",
    [
        "kok belum dapat BLT padahal sudah didata?",
        "AKTA LAHIR GAK JADI2",
        "KTP saya sudah 3 bulan belum jadi, sampai kapan harus nunggu?",
        "aplikasi error terus, tidak bisa login sejak kemarin",
        "mohon dinyalakan lampu PJU di gang 3",
    ],
)
def test_complaints_that_look_like_questions_or_shouts(text: str) -> None:
    assert understand(text).intent is Intent.COMPLAINT


@pytest.mark.parametrize(
    "text",
    [
        "gimana tindak lanjut aduan sy nomor 4821?",
        "laporan saya no 3321 kok belum ada kabar",
        "pengajuan saya kemarin sudah sampai mana ya pak?",
        # an application of one's own that nobody has answered: how it stands, not a new problem
        "saya sudah daftar bantuan rumah sampai sekarang belum ada kabar",
        "usulan saya di aplikasi sudah 2 bulan belum dicek",
        "sdh mengajukan surat pindah dari bulan lalu tp blm ada kelanjutannya",
        "melanjutkan keluhan saya minggu lalu yg belum ditanggapi",
    ],
)
def test_follow_ups_citing_a_report_are_status(text: str) -> None:
    assert understand(text).intent is Intent.STATUS


@pytest.mark.parametrize(
    "text",
    [
        "Terima kasih, PJU di gang 2 sudah menyala kembali",
        "terima kasih kepada petugas yang telah memperbaiki jalan berlubang di RT 5",
        "pelayanan di kantor desa sangat membantu, bravo",
        "jalan depan balai desa sudah diaspal, sekarang nyaman",
    ],
)
def test_thanks_for_what_was_done_is_not_a_complaint(text: str) -> None:
    assert understand(text).intent is Intent.OTHER


# --- the learned models ------------------------------------------------------------------------------


def test_model_speaks_only_where_rules_fall_back() -> None:
    # The rules find no evidence here; the model has seen how people ask for the service's help.
    assert understand("ini bisa buat lapor apa aja?").intent is Intent.HELP
    # Keywords, codes and spam are the rules' alone.
    assert understand("STOP").intent is Intent.UNSUBSCRIBE
    assert understand("482913").intent is Intent.STATUS


def test_scorer_matches_the_plain_sum() -> None:
    from handlers import understand as understanding
    from handlers.nlu_model import load_models
    from handlers.normalize import tokens

    scorer = understanding._SCORER
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines()[:60]]
    texts += ["", "rahasia: jangan sebut nama saya, jalan rusak", "482913 ???", "xyzzy qwerty"]
    for model in load_models():
        for text in texts:
            toks = tokens(text)
            fast = scorer.part(model.name, scorer.scores(toks, text))
            assert fast == pytest.approx(model.scores(toks, text), abs=1e-9)


def test_stem() -> None:
    from handlers.nlu_model import stem

    words = ("dikirimi", "kirimin", "dikirim", "laporannya", "pelaporan", "jalan", "air")
    assert [stem(w) for w in words] == ["kirim", "kirim", "kirim", "lapor", "lapor", "jalan", "air"]


def test_shipped_weights_are_a_fresh_fit_of_the_development_data() -> None:
    # python -m handlers.train --check: the shipped file is what the trainer makes of the development data
    # (never the held-out sets), to rounding.
    from handlers import train

    assert train.main(["--check"]) == 0, "run python -m handlers.train"


# --- accuracy on the labelled development data ------------------------------------------------------


def test_accuracy_on_development_data() -> None:
    rows = []
    for path in DEVELOPMENT:
        assert path.exists(), f"missing labelled data: {path}"
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 900
    intents = categories = complaints = 0
    for row in rows:
        u = understand(row["text"])
        intents += u.intent == row["intent"]
        if row["intent"] == "complaint" and row["category"] is not None:
            complaints += 1
            categories += u.intent is Intent.COMPLAINT and u.category == row["category"]
    assert intents / len(rows) >= 0.95
    assert categories / complaints >= 0.85
