"""Every sentence the bot says to a user, in Indonesian, in one place.

Templates use str.format fields; the engine fills them. Wording can be improved here without
touching any logic.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "id"

# --- registration -----------------------------------------------------------------------
UNREGISTERED = (
    "Halo! KaderBot dipakai kader Kampung KB untuk melapor kegiatan bulanan.\n\n"
    "Anda belum terdaftar. Minta kode undangan ke ketua pokja Kampung KB Anda, "
    "lalu kirim: /start KODE\n(contoh: /start K7M2QX9A)"
)
INVITE_UNKNOWN = (
    "Kode undangan {code} tidak dikenal. Periksa lagi hurufnya, atau minta kode baru ke "
    "ketua pokja."
)
INVITE_WAIT = (
    "Terlalu banyak kode undangan yang salah; tunggu {minutes} menit sebelum mencoba lagi."
)
INVITE_USED = "Kode undangan {code} sudah dipakai. Minta kode baru ke ketua pokja."
INVITE_EXPIRED = "Kode undangan {code} sudah kedaluwarsa. Minta kode baru ke ketua pokja."
INVITE_OTHER_PLACE = (
    "Anda sudah terdaftar sebagai {role} di {place}. Kode ini untuk tempat atau peran lain; "
    "hubungi ketua pokja bila ingin pindah."
)
ALREADY_REGISTERED = "Anda sudah terdaftar sebagai {role} di {place}."
WELCOME = "Selamat datang, {name}! Anda terdaftar sebagai {role} di {place}."
UNIT_ADDED = "Unit {unit} ditambahkan. Sekarang Anda bisa melapor untuk: {units}."
ROLE_NAMES = {"kader": "kader", "ketua": "ketua pokja", "plkb": "PLKB/PKB"}

# --- menu and help ----------------------------------------------------------------------
MENU = "Mau melakukan apa?"
MENU_LAPOR = "Lapor"
MENU_STATUS = "Status bulan ini"
MENU_UBAH = "Ubah laporan"
MENU_KEGIATAN = "Lapor kegiatan"
MENU_UNDUH = "Unduh format laporan"
MENU_BANTUAN = "Bantuan"
MENU_UNDANG = "Undang anggota"
MENU_ANGGOTA = "Anggota"  # not "Daftar anggota": "daftar X" is how a code is sent
_HELP_NUMBERS = (
    "Jawab angka cukup dengan angkanya, misal 45 atau empat puluh lima. "
    "Tanggal bisa ditulis: hari ini, kemarin, 12/11, atau 12 Nov. "
    "Laporan baru tersimpan setelah Anda menekan Simpan."
)
_HELP_REPORTING = (
    "/lapor – isi laporan (posyandu, BKB/BKR/BKL, UPPKA, PIK-R, atau KB)\n"
    "/kegiatan – laporkan kegiatan Kampung KB (boleh beberapa sehari, dengan foto)\n"
    "/ubah – perbaiki laporan bulan ini atau bulan lalu\n"
    "/batal – berhenti mengisi laporan\n"
)
_HELP_QUICK = (
    "Laporan juga bisa dikirim dalam satu pesan, misal:\n"
    "posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5"
)
# /bantuan and the welcome, by role: each lists what that role can do.
HELP = {
    "kader": (
        "Cara memakai KaderBot:\n"
        + _HELP_REPORTING
        + "/status – lihat laporan yang sudah masuk dan yang belum\n"
        "/rekap – rekap unit Anda bulan ini (atau misal: /rekap oktober)\n"
        "/pengingat off / on – matikan atau nyalakan pengingat kegiatan\n"
        "/bantuan – pesan ini\n\n" + _HELP_QUICK + "\n\n" + _HELP_NUMBERS
    ),
    "ketua": (
        "Cara memakai KaderBot sebagai ketua pokja:\n"
        "/status – lihat unit yang sudah dan belum lapor bulan ini\n"
        "/rekap – rekap Kampung KB bulan ini: teks, grafik, dan spreadsheet "
        "(atau misal: /rekap oktober)\n"
        "/unduh – berkas siap cetak: portal Kampung KB, register R/I poktan, rekap SKDN\n"
        + _HELP_REPORTING
        + "/undang – buat kode undangan untuk kader atau ketua pokja baru\n"
        "/anggota – daftar anggota Kampung KB; hapus anggota yang sudah berhenti\n"
        "/pengingat off / on – matikan atau nyalakan pengingat\n"
        "/bantuan – pesan ini\n\n"
        "Rekap bulanan dikirim otomatis setelah batas lapor.\n\n"
        + _HELP_QUICK
        + "\n\n"
        + _HELP_NUMBERS
    ),
    "plkb": (
        "Cara memakai KaderBot sebagai PLKB/PKB:\n"
        "/status – lihat berapa unit tiap Kampung KB di kecamatan Anda yang sudah lapor\n"
        "/rekap – rekap kecamatan bulan ini, semua Kampung KB berdampingan "
        "(atau misal: /rekap oktober)\n"
        "/undang – buat kode undangan untuk ketua pokja sebuah Kampung KB\n"
        "/anggota – daftar ketua pokja di kecamatan Anda\n"
        "/unduh – berkas siap cetak semua Kampung KB: portal, register R/I, rekap SKDN\n"
        "/pengingat off / on – matikan atau nyalakan pengingat\n"
        "/bantuan – pesan ini"
    ),
}
GREETING = "Halo, {name}! 👋"
NOT_UNDERSTOOD = "Maaf, saya belum paham '{typed}'. Pilih salah satu di bawah, atau kirim /bantuan."
UNKNOWN_COMMAND = "Perintah {command} tidak dikenal. Kirim /bantuan untuk melihat daftar perintah."
CHOICE_AMBIGUOUS = "'{typed}' cocok dengan beberapa pilihan: {options}. Pilih salah satu."
CANCELLED = "Dibatalkan. Tidak ada yang disimpan."
NOTHING_TO_CANCEL = "Tidak ada laporan yang sedang diisi."
BUSY_WITH_FORM = (
    "Anda masih mengisi laporan {title}. Lanjutkan di bawah ini, atau kirim /batal "
    "untuk membatalkannya."
)
STALE_BUTTON = "Tombol itu dari pertanyaan sebelumnya. Ini pertanyaan yang sekarang:"
# A button of a message sent to the member by another's turn (a notice) that no longer
# means anything: the report was erased, the request was already answered...
NOTICE_GONE = "Tombol itu sudah tidak berlaku."
# A notice sent by template outside WhatsApp's 24-hour window carries no buttons.
NOTICE_ANSWER_FOR_BUTTONS = "Balas pesan ini untuk melihat tombolnya."
NOT_A_TEXT = "Maaf, saya hanya bisa membaca pesan teks. Silakan ketik jawabannya."
NO_POKJA = "Kegiatan dilaporkan oleh anggota Kampung KB. Anda belum terdaftar di Kampung KB."
SERVER_TROUBLE = (
    "Maaf, sedang ada gangguan. Jawaban Anda belum tersimpan; coba kirim lagi sebentar lagi."
)

# --- members: /undang and /anggota (a ketua, or a PLKB for the ketua) ----------------------
ONLY_KETUA_INVITES = (
    "Hanya ketua pokja yang bisa mengundang anggota baru. Minta kode undangan ke ketua "
    "pokja Kampung KB Anda."
)
ONLY_KETUA_MEMBERS = "Hanya ketua pokja yang bisa melihat dan mengatur daftar anggota."
INVITE_PICK_ROLE = (
    "Siapa yang mau diundang ke {kampung}? Kodenya datang dalam satu pesan; teruskan "
    "pesan itu kepada orangnya."
)
INVITE_ROLE_KADER = "Kader"
INVITE_ROLE_KETUA = "Ketua pokja"
INVITE_PICK_UNIT = "Kader untuk unit mana?"
INVITE_PICK_KAMPUNG = (
    "Undang ketua pokja untuk Kampung KB mana? Kodenya datang dalam satu pesan; teruskan "
    "pesan itu kepada orangnya."
)
INVITE_NO_UNITS = "{kampung} belum punya unit. Unit ditambahkan oleh pengelola bot."
INVITE_NO_KAMPUNG = "Belum ada Kampung KB di kecamatan Anda."
# The message to forward to the person invited: one message, both channels.
INVITE_MESSAGE = (
    "Undangan KaderBot untuk {who}.\n\n"
    "{telegram}\n"
    "Lewat WhatsApp: kirim pesan DAFTAR {code} ke nomor WhatsApp KaderBot.\n\n"
    "Kode {code} hanya untuk satu orang, berlaku sampai {until}."
)
INVITE_TELEGRAM_LINK = "Lewat Telegram: buka {link}"
INVITE_TELEGRAM_START = "Lewat Telegram: kirim /start {code} ke bot KaderBot."
INVITE_WHO_KADER = "kader {unit}, {kampung}"
INVITE_WHO_KETUA = "ketua pokja {kampung}"
MEMBERS_HEADER = "Anggota {place}:"
MEMBERS_HEADER_PLKB = "Ketua pokja di Kecamatan {kecamatan}:"
MEMBERS_NONE = "Belum ada yang terdaftar."
MEMBERS_SELF = "• Anda: {line}"
MEMBERS_LINE = "{number}. {line}"
MEMBERS_ENTRY = "{name} – {role}{where} – {channel} – lapor terakhir: {last}"
MEMBERS_NEVER = "belum pernah"
MEMBERS_PICK = "Untuk menghapus anggota yang sudah berhenti, pilih namanya."
MEMBERS_NOBODY_ELSE = "Belum ada anggota lain. Kirim /undang untuk mengundang."
MEMBERS_CLOSE = "Tutup"
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": "terminal"}
REMOVE_CONFIRM = (
    "Hapus {name} ({role}{where}) dari daftar anggota?\n"
    "Nama dan nomor chatnya dihapus dan ia tidak menerima pesan lagi; laporan yang pernah "
    "dikirimnya tetap tersimpan."
)
REMOVE_YES = "Ya, hapus"
REMOVE_NO = "Batal"
REMOVED = "{name} sudah dihapus dari daftar anggota. Laporannya tetap tersimpan."
REMOVE_CANCELLED = "Dibatalkan. Tidak ada yang dihapus."
REMOVE_SELF = (
    "Anda tidak bisa menghapus diri sendiri. Bila Anda berhenti sebagai {role}, minta "
    "pengelola bot menghapus Anda."
)

# --- the deadline lock: a month past its deadline, reopened by the ketua ----------------
LOCKED = (
    "Laporan {month} sudah dikunci sejak {deadline} (batas lapor tanggal {day}). "
    "Ketua dapat membukanya untuk Anda."
)
LOCKED_ASK = "Minta dibuka"
LOCKED_ASKED = (
    "Permintaan dikirim ke ketua. Anda akan diberi tahu bila dibuka; isian Anda tidak hilang."
)
LOCKED_NO_KETUA = "Belum ada ketua yang terdaftar untuk membuka laporan ini."
LOCKED_WAITING = "{month} masih dikunci. Tekan Simpan lagi setelah ketua membukanya."
UNLOCK_REQUEST = "🔒 {kader} minta laporan {title} bulan {month} dibuka kembali."
UNLOCK_OPEN = "Buka"
UNLOCK_REFUSE = "Tolak"
UNLOCK_GRANTED = "Dibuka ✅ {kader} dapat mengisi {title} bulan {month} sampai {until}."
UNLOCK_REFUSED = "Permintaan {kader} ditolak; ia sudah diberi tahu."
UNLOCK_ALREADY_OPEN = (
    "Laporan {title} bulan {month} sudah dibuka untuk {kader} sampai {until}; "
    "permintaannya tidak ditolak."
)
UNLOCK_NOT_ALLOWED = "Hanya ketua Kampung KB ini yang dapat membuka laporan itu."
UNLOCKED_FOR_YOU = (
    "🔓 Ketua membuka laporan {title} bulan {month} untuk Anda sampai {until}. "
    "Silakan kirim atau ubah sekarang."
)
UNLOCK_DENIED_FOR_YOU = (
    "Ketua tidak membuka laporan {title} bulan {month}. Hubungi ketua bila perlu."
)

# --- choosing what to report ------------------------------------------------------------
PICK_UNIT = "Laporan untuk unit mana?"
NO_UNITS = "Belum ada unit yang bisa Anda laporkan. Hubungi ketua pokja."
PLKB_NO_FORMS = "PLKB/PKB tidak mengisi laporan unit. Ketik /status untuk melihat laporan."
FORM_NAMES = {
    "posyandu": "Posyandu",
    "bkb": "BKB",
    "bkr": "BKR",
    "bkl": "BKL",
    "kb": "KB",
    "uppka": "UPPKA",
    "pikr": "PIK-R",
    "kegiatan": "Kegiatan",
}
FORM_START = "Laporan {title}. Kirim /batal kapan saja untuk berhenti."

# --- answering fields -------------------------------------------------------------------
PROGRESS = "({index}/{total}) "
SKIP = "Lewati"
CURRENT_ANSWER = "(jawaban sebelumnya: {value})"
TODAY = "Hari ini"
YESTERDAY = "Kemarin"
BAD_NUMBER = "Maaf, saya belum paham. Jawab dengan angka saja, misal: 12"
BAD_DATE = "Maaf, tanggalnya belum terbaca. Contoh: hari ini, kemarin, 12/11, atau 12 Nov."
KB_PERIOD_ONLY = "Laporan KB hanya untuk {this} atau {last}. Pilih salah satu tombol."
BAD_CHOICE = "Silakan pilih salah satu tombol, atau ketik nomornya."
BAD_TEXT_EMPTY = "Jawabannya masih kosong. Silakan ketik lagi."
TOO_LONG = "Terlalu panjang ({length} huruf). Paling banyak {limit} huruf."
DATE_FUTURE = "Tanggal {date} belum lewat. Laporkan setelah kegiatannya berlangsung."
DATE_TOO_OLD = (
    "Tanggal {date} sudah lebih dari {days} hari yang lalu. Laporan selama itu tidak bisa "
    "diisi lewat bot; hubungi ketua pokja."
)
AT_MOST = "{label} tidak boleh lebih dari {other} ({limit}). Anda menulis {value}."
PARTS_OVER = (
    "{parts} = {sum}, lebih dari {total_label} ({total}). Bagian-bagian ini tidak boleh "
    "lebih dari {total_label}; periksa lagi angkanya."
)
TOO_BIG = "{label} paling banyak {maximum}. Periksa lagi angkanya."
WARN_PROFILE = "{label} {value} lebih banyak dari jumlah {profile} di profil Kampung KB ({limit})."
PROFILE_NAMES = {
    "keluarga_balita": "keluarga yang punya balita",
    "keluarga_remaja": "keluarga yang punya remaja",
    "keluarga_lansia": "keluarga yang punya lansia",
    "keluarga": "keluarga",
    "remaja": "remaja",
    "pus": "PUS",
}
# Why a typed answer is not taken as a count: the re-ask gives the reason and an example.
NUMBER_PROBLEMS = {
    "unreadable": "Maaf, '{typed}' belum terbaca sebagai angka. Tulis angkanya saja, misal: 45",
    "letters_in_digits": (
        "Ada huruf di dalam angka '{typed}' (huruf O atau l mirip angka 0 atau 1?). "
        "Tulis angkanya saja, misal: 40"
    ),
    "date": "'{typed}' seperti tanggal atau bulan. Yang ditanyakan jumlahnya, misal: 45",
    "two_numbers": "Ada lebih dari satu angka di '{typed}'. Kirim satu angka saja, misal: 45",
    "decimal": "Jumlah harus bilangan bulat, tanpa koma. Contoh: 45",
    "negative": "Jumlah tidak bisa kurang dari nol. Kalau tidak ada, tulis 0.",
    "approximate": "Mohon tulis angka pastinya, bukan perkiraan. Contoh: 45",
    "percent": "Yang ditanyakan jumlahnya, bukan persen. Contoh: 45",
    "too_long": "Angkanya terlalu panjang. Periksa lagi, lalu kirim angka yang benar.",
    "ambiguous_words": (
        "'{typed}' bisa berarti dua hal (misal 45, atau 4 dan 5). Tulis dengan angka, misal: 45"
    ),
    "ambiguous_comma": (
        "'{typed}' bisa berarti seribu atau satu koma nol. Tulis tanpa koma: 1000 atau 1.000"
    ),
}
DATE_IMPOSSIBLE = (
    "Tanggal '{typed}' tidak ada di kalender. Periksa lagi tanggal dan bulannya. Contoh: 10/11"
)
WARNING_CONFIRM = "Mohon periksa:\n{details}\n\nApakah angkanya sudah benar?"
WARNING_YES = "Ya, sudah benar"
WARNING_FIX = "Perbaiki"
WARN_SKDN_SUM = "N + T + O + B = {total}, padahal D = {d}."
WARN_D_OVER_K = (
    "D ({d}) lebih besar dari K ({k}): ada balita ditimbang yang belum punya KMS/buku KIA."
)
WARN_CHANGE = "{label}: {value}, bulan lalu {previous} (berubah {percent})."

# --- KB method lists --------------------------------------------------------------------
METHOD_LIST_HINT = (
    "\nBisa juga kirim semua metode sekaligus, misal: "
    "spiral 20 susuk 40 suntik 200 pil 150 kondom 31"
)
METHOD_LIST_UNKNOWN = (
    "Saya tidak mengenali '{word}'. Nama metode: spiral/IUD, MOW/steril wanita, "
    "MOP/steril pria, kondom, susuk/implan, suntik, pil."
)
METHOD_LIST_TWICE = "Metode {method} disebut dua kali. Kirim ulang daftarnya."
METHOD_LIST_MISSING = "Yang tidak disebut: {methods}. Dianggap 0?"
METHOD_GROUP_NAMES = {"aktif": "peserta KB aktif", "baru": "peserta KB baru"}
METHOD_LIST_READ = "Terbaca: {values}."
METHOD_LIST_ZERO_YES = "Ya"
METHOD_LIST_ZERO_NO = "Tidak, ulangi"
BALANCE = (
    "Jumlahnya belum cocok:\n{parts} = {sum}\n{total_label} = {total}\n"
    "Selisih {difference}. Angka mana yang mau diperbaiki?"
)
GROUP_BUTTONS = {"aktif": "Peserta KB aktif", "baru": "Peserta KB baru"}

# --- duplicates and corrections ---------------------------------------------------------
DUPLICATE = (
    "Sudah ada laporan {title} untuk {when} (revisi {revision}, dikirim {sent}). "
    "Mau memperbaiki laporan itu?"
)
DUPLICATE_YES = "Ya, perbaiki"
DUPLICATE_NO = "Batal"
PICK_REPORT = "Laporan mana yang mau diubah?"
NO_REPORTS = "Belum ada laporan bulan ini atau bulan lalu. Kirim /lapor untuk membuat laporan."

# --- one-message reports --------------------------------------------------------------
QUICK_UNKNOWN = "Saya tidak mengenali '{word}'. Kata kunci yang bisa dipakai: {keys}"
QUICK_BAD_NUMBER = "Angka di '{word}' belum bisa dipakai. {reason}"
QUICK_AMBIGUOUS_KEY = "'{word}' bisa berarti {options}. Tulis dengan spasi, misal: T 25"
QUICK_UNKNOWN_OPTION = "Pilihan untuk '{word}' belum terbaca. Yang bisa dipilih: {options}."
QUICK_TWICE = "'{word}' disebut dua kali. Kirim ulang laporannya."
QUICK_NO_UNIT = "Anda tidak terdaftar di unit {form}."
QUICK_NOT_IN_FORM = "'{key}' tidak ada di laporan ini, jadi dilewati."
QUICK_WARNINGS = "Mohon periksa sebelum menyimpan:"

# --- summary ----------------------------------------------------------------------------
SUMMARY = "Ringkasan laporan {title}{correction}:\n{lines}\n\nSudah benar?"
SUMMARY_CORRECTION = " (perbaikan)"
SUMMARY_SAVE = "Simpan"
SUMMARY_EDIT = "Ubah"
SUMMARY_CANCEL = "Batal"
SKIPPED = "-"  # a skipped answer is absent: "-" here, in recaps and sheets
PICK_FIELD = "Bagian mana yang mau diubah?"
BACK = "Kembali"
SAVED = "Tersimpan ✅ Laporan {title}, {when} (revisi {revision}). Terima kasih!"

# --- status -----------------------------------------------------------------------------
STATUS_HEADER = "Status laporan {month}:"
STATUS_DONE_MONTHLY = "✅ {unit}: sudah ({date}, revisi {revision})"
STATUS_DONE_MEETINGS = "✅ {unit}: {count} pertemuan ({dates})"
STATUS_MISSING = "⏳ {unit}: belum"
STATUS_LAST_MONTH_MISSING = "⚠️ {unit}: laporan {month} belum masuk (batas tanggal {deadline})"
STATUS_NEXT_MEETING = "   jadwal berikutnya: {date}"
STATUS_KAMPUNG = "{kampung}: {done} dari {total} unit sudah lapor"
STATUS_NO_UNITS = "Belum ada unit untuk Anda."

# --- field prompts and labels -----------------------------------------------------------
# Prompts are the questions; labels are the short names in summaries and error messages.
FIELD_PROMPTS: dict[str, str] = {
    "posyandu.tanggal": "Tanggal hari buka posyandu?",
    "posyandu.s": "S: jumlah balita sasaran (0-59 bulan) di wilayah posyandu?",
    "posyandu.k": "K: balita yang punya KMS / buku KIA?",
    "posyandu.d": "D: balita yang ditimbang bulan ini?",
    "posyandu.n": "N: balita yang naik berat badannya?",
    "posyandu.t": "T: balita yang ditimbang tapi tidak naik?",
    "posyandu.o": "O: balita yang ditimbang, bulan lalu tidak datang?",
    "posyandu.b": "B: balita yang baru pertama kali ditimbang?",
    "posyandu.t2": "2T: balita yang tidak naik dua kali berturut-turut?",
    "posyandu.bgm": "BGM: balita di bawah garis merah?",
    "posyandu.bumil": "Ibu hamil yang datang?",
    "posyandu.kader_hadir": "Kader yang bertugas?",
    "posyandu.catatan": "Catatan? (boleh dilewati)",
    "poktan.tanggal": "Tanggal pertemuan?",
    "poktan.anggota": "Jumlah keluarga anggota?",
    "poktan.hadir": "Keluarga anggota yang hadir?",
    "poktan.kader_hadir": "Kader yang hadir?",
    "poktan.materi": "Materi penyuluhan? Pilih, atau ketik sendiri.",
    "poktan.penyaji": "Siapa penyajinya?",
    "poktan.pus_anggota": "PUS (pasangan usia subur) di antara anggota?",
    "poktan.pus_kb": "PUS anggota yang ber-KB?",
    "poktan.lansia_mandiri": "Lansia mandiri?",
    "poktan.lansia_pendamping": "Lansia yang butuh pendamping?",
    "uppka.anggota": "Jumlah keluarga anggota UPPKA?",
    "uppka.hadir": "Keluarga anggota yang hadir?",
    "uppka.pus_anggota": "PUS (pasangan usia subur) di antara anggota?",
    "uppka.pus_kb": "PUS anggota yang ber-KB?",
    "uppka.jenis_usaha": "Jenis usaha kelompok?",
    "uppka.modal": "Apakah kelompok menerima modal bergulir bulan ini?",
    "uppka.catatan": "Catatan? (boleh dilewati)",
    "pikr.anggota": "Jumlah remaja anggota PIK-R?",
    "pikr.hadir": "Remaja anggota yang hadir?",
    "pikr.materi": "Materi yang dibahas?",
    "pikr.penyaji": "Siapa penyajinya?",
    "pikr.konseling": "Berapa remaja yang mendapat konseling?",
    "pikr.catatan": "Catatan? (boleh dilewati)",
    "kegiatan.tanggal": "Tanggal kegiatan?",
    "kegiatan.judul": "Judul kegiatan? (paling banyak 100 huruf)",
    "kegiatan.tempat": "Tempat kegiatan?",
    "kegiatan.kategori": "Kategori kegiatan?",
    "kegiatan.sasaran": "Berapa orang sasaran yang hadir/terjangkau?",
    "kegiatan.uraian": "Uraian singkat kegiatan? (boleh dilewati)",
    "kegiatan.foto": "Kirim foto kegiatan (paling banyak 5), lalu tekan Selesai.",
    "kb.periode": "Laporan KB untuk bulan apa?",
    "kb.pus": "Jumlah PUS (pasangan usia subur, istri 15-49 tahun)?",
    "kb.aktif": "Peserta KB aktif (PA) – {method}?",
    "kb.baru": "Peserta KB baru (PB) bulan ini – {method}?",
    "kb.hamil": "PUS yang sedang hamil?",
    "kb.ias": "PUS yang ingin anak segera (IAS)?",
    "kb.iat": "PUS yang ingin anak ditunda (IAT)?",
    "kb.tial": "PUS yang tidak ingin anak lagi (TIAL)?",
}
FIELD_LABELS: dict[str, str] = {
    "tanggal": "Tanggal",
    "periode": "Bulan",
    "s": "S",
    "k": "K",
    "d": "D",
    "n": "N",
    "t": "T",
    "o": "O",
    "b": "B",
    "t2": "2T",
    "bgm": "BGM",
    "bumil": "Ibu hamil",
    "kader_hadir": "Kader",
    "catatan": "Catatan",
    "anggota": "Anggota",
    "hadir": "Hadir",
    "materi": "Materi",
    "penyaji": "Penyaji",
    "pus_anggota": "PUS anggota",
    "pus_kb": "PUS ber-KB",
    "lansia_mandiri": "Lansia mandiri",
    "lansia_pendamping": "Lansia butuh pendamping",
    "jenis_usaha": "Jenis usaha",
    "modal": "Modal bergulir",
    "konseling": "Konseling",
    "judul": "Judul",
    "tempat": "Tempat",
    "kategori": "Kategori",
    "sasaran": "Sasaran",
    "uraian": "Uraian",
    "foto": "Foto",
    "pus": "PUS",
    "aktif": "PA {method}",
    "baru": "PB {method}",
    "hamil": "Hamil",
    "ias": "IAS",
    "iat": "IAT",
    "tial": "TIAL",
}
METHOD_NAMES = {
    "iud": "IUD/spiral",
    "mow": "MOW (steril wanita)",
    "mop": "MOP (steril pria)",
    "kondom": "kondom",
    "implan": "implan/susuk",
    "suntik": "suntik",
    "pil": "pil",
}
MATERI_TOPICS = {
    "bkb": (
        "Tumbuh kembang anak",
        "Pengasuhan 1000 HPK",
        "Gizi dan cegah stunting",
        "Stimulasi dengan KKA",
        "8 fungsi keluarga",
    ),
    "bkr": (
        "Pendewasaan usia perkawinan",
        "Kesehatan reproduksi remaja",
        "Bahaya narkoba dan pergaulan bebas",
        "Komunikasi orang tua dan remaja",
        "8 fungsi keluarga",
    ),
    "bkl": (
        "Lansia tangguh (7 dimensi)",
        "Kesehatan lansia",
        "Gizi lansia",
        "Perawatan jangka panjang",
        "8 fungsi keluarga",
    ),
}
PENYAJI = ("PLKB", "PPLKB", "PPKBD", "Sub PPKBD", "Kader", "Lainnya")
JENIS_USAHA = (
    "Makanan/minuman",
    "Kerajinan",
    "Pertanian/peternakan",
    "Perdagangan",
    "Jasa",
    "Lainnya",
)
YES_NO = ("Ya", "Tidak")
PIKR_MATERI = (
    "TRIAD KRR: seksualitas",
    "TRIAD KRR: NAPZA",
    "TRIAD KRR: HIV/AIDS",
    "Pendewasaan Usia Perkawinan",
    "8 fungsi keluarga",
    "Life skills",
    "Lainnya",
)
PIKR_PENYAJI = ("Pendidik sebaya", "Konselor sebaya", "PLKB", "Lainnya")
# The Kampung KB portal's kategori kegiatan: the pokja's meetings, sosialisasi, and the
# 8 fungsi keluarga.
KATEGORI = (
    "Rapat pokja: perencanaan",
    "Rapat pokja: koordinasi",
    "Rapat pokja: monev",
    "Sosialisasi",
    "Fungsi keagamaan",
    "Fungsi sosial budaya",
    "Fungsi cinta kasih",
    "Fungsi perlindungan",
    "Fungsi reproduksi",
    "Fungsi pendidikan",
    "Fungsi ekonomi",
    "Fungsi lingkungan",
)
PHOTOS_DONE = "Selesai"
PHOTO_RECEIVED = "Foto {count} dari {limit} diterima."
PHOTO_EXPECTED = (
    "Yang saya tunggu sekarang adalah foto. Kirim fotonya sebagai gambar, "
    "atau tekan Selesai (atau Lewati bila tidak ada foto)."
)
PHOTO_TOO_BIG = (
    "Maaf, foto itu terlalu besar (paling besar {limit} MB). Kirim foto yang lebih kecil."
)
PHOTO_UNREADABLE = "Maaf, foto itu tidak bisa diambil. Coba kirim lagi."
PHOTO_NOT_AN_IMAGE = "Itu bukan foto (JPG, PNG, GIF atau WebP). Kirim foto kegiatannya."


def number(value: int) -> str:
    """1.234, with the Indonesian thousands dot."""
    return format_decimal(value, locale=LOCALE)


def typed(text: str, limit: int = 30) -> str:
    """What the user typed, quoted back in a re-ask, cut short."""
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def short_month(period: str) -> str:
    """ "2026-11" -> "Nov 26", for chart axes."""
    year, month = (int(part) for part in period.split("-"))
    return format_date(date(year, month, 1), "MMM yy", locale=LOCALE)


def month_name(period: str) -> str:
    """ "2026-11" -> "November 2026"."""
    year, month = (int(part) for part in period.split("-"))
    return format_date(date(year, month, 1), "MMMM y", locale=LOCALE)


def short_date(day: date) -> str:
    """12 Nov 2026."""
    return format_date(day, "d MMM y", locale=LOCALE)


def long_date(day: date) -> str:
    """Selasa, 8 Desember 2026."""
    return format_date(day, "EEEE, d MMMM y", locale=LOCALE)


def field_label(key: str) -> str:
    if "_" in key and key.split("_", 1)[0] in ("aktif", "baru"):
        group, method = key.split("_", 1)
        return FIELD_LABELS[group].format(method=METHOD_NAMES[method])
    return FIELD_LABELS[key]


# --- recap ------------------------------------------------------------------------------
RECAP_TITLE = "📊 Rekap {kampung}\n{month}"
# The recap the schedule sends after the deadline: it counts every report due.
RECAP_FINAL_TITLE = "📊 Rekap akhir {kampung}\n{month}"
RECAP_CHANGE = " ({change} poin dari bulan lalu)"
# A form's part of the recap text: its heading (where it has one), then its lines, or
# RECAP_FORM_NONE when nothing came in. The lines are filled with the form's figures by
# key (handlers/forms.py, RecapSpec): a count reads "1.234" ("-" when not answered), a
# rate "82,5%"; for a rate `x`, {x_change} is the change against last month, {x_target}
# its target and {x_answered} the note that only some reports answered it. {form} is the
# form's name, {units} its units, {units_reported} those that reported, {reports} the
# reports (meetings). {mix} is the KB method mix.
RECAP_HEADINGS = {"posyandu": "Posyandu (SKDN)", "kb": "KB"}
# A group's members are those of its last meeting; its attendance adds up every meeting of
# the month, so the line says so ("anggota 30, hadir 53" read as 53 of 30).
_RECAP_POKTAN = (
    "{form}: {units_reported} dari {units} kelompok bertemu ({reports} pertemuan)",
    "  anggota {anggota}, total hadir {hadir} dari semua pertemuan ({attendance}), "
    "PUS ber-KB {pus_on_kb}, "
    "partisipasi {participation}",
)
RECAP_LINES: dict[str, tuple[str, ...]] = {
    "posyandu": (
        "S {s} · K {k} · D {d} · N {n} · BGM {bgm}",
        "T {t} · O {o} · B {b} · 2T {t2}",
        "Cakupan program (K/S): {k_s}",
        "Partisipasi masyarakat (D/S): {d_s}{d_s_change}, target {d_s_target}",
        "Kelangsungan penimbangan (D/K): {d_k}",
        "Keberhasilan program (N/D): {n_d}{n_d_change}",
        "N/S: {n_s}",
        "BGM/D: {bgm_d}",
        "2T/D: {t2_d}{t2_d_answered}",
    ),
    "bkb": _RECAP_POKTAN,
    "bkr": _RECAP_POKTAN,
    "bkl": (
        *_RECAP_POKTAN,
        "  lansia mandiri {lansia_mandiri}, butuh pendamping {lansia_pendamping}",
    ),
    "uppka": _RECAP_POKTAN,
    "pikr": (
        "{form}: {units_reported} dari {units} kelompok bertemu ({reports} pertemuan)",
        "  anggota {anggota}, total hadir {hadir} dari semua pertemuan ({attendance}), "
        "konseling {konseling}, "
        "partisipasi {participation}",
    ),
    "kb": (
        "PUS {pus}, peserta KB aktif {aktif_total}, CPR {cpr}{cpr_change}",
        "Metode: {mix}; MKJP {mkjp}",
        "Peserta KB baru: {baru_total}",
        "Unmet need (IAT + TIAL): {unmet_need} ({unmet_need_share} dari PUS)",
    ),
}
# One line per unit after the form's lines, where the Kampung KB has more than one unit.
RECAP_UNIT_LINES = {"posyandu": "• {unit}: D/S {d_s}, N/D {n_d}, BGM {bgm}"}
RECAP_ANSWERED = {"posyandu": " (hanya {answered} dari {reports} posyandu yang mengisi)"}
RECAP_ANSWERED_ANY = " (hanya {answered} dari {reports} laporan yang mengisi)"
# Forms the recap lists, one line per report: the spec's `listing` fields by key.
RECAP_LIST_LINE = {
    "kegiatan": "• {tanggal}: {judul} ({kategori}), {tempat}, sasaran {sasaran}, {foto} foto"
}
RECAP_UNIT_NONE = "• {unit}: belum lapor"
RECAP_FORM_NONE = "Belum ada laporan {form} untuk {month}."
RECAP_COMPLETENESS = (
    "Kelengkapan: {reported} dari {expected} unit lapor ({share}); tepat waktu {timeliness}"
)
RECAP_MISSING = "Belum lapor:"
RECAP_MISSING_UNIT = "• {unit} ({kader})"
RECAP_NO_KADER = "belum ada kader terdaftar"
RECAP_ALL_IN = "Semua unit sudah lapor. Terima kasih! 🙏"
METHOD_SHORT = {
    "iud": "IUD",
    "mow": "MOW",
    "mop": "MOP",
    "kondom": "kondom",
    "implan": "implan",
    "suntik": "suntik",
    "pil": "pil",
}
DISTRICT_TITLE = "📊 Rekap Kecamatan {kecamatan}\n{month}"
DISTRICT_FINAL_TITLE = "📊 Rekap akhir Kecamatan {kecamatan}\n{month}"
# Rates by key, pooled over the forms that have one (attendance: every poktan's hadir over
# every poktan's anggota).
DISTRICT_ROW = (
    "• {kampung}: D/S {d_s}, N/D {n_d}, hadir poktan {attendance}, CPR {cpr}, "
    "lapor {reported}/{expected}"
)
DISTRICT_ROW_NONE = "• {kampung}: belum lapor (0 dari {expected} unit)"
DISTRICT_TOTAL = "Kecamatan {kecamatan}"
DISTRICT_LOCKED = "  🔒 terkunci sejak {deadline}"
DISTRICT_UNLOCKED = "  🔓 dibuka untuk {unit} ({kader}) s.d. {until}"
CHART_TITLE = "{name}: 6 bulan terakhir"
# The chart's lines: the rates marked `chart` in the form specs, by key.
CHART_LABELS = {
    "d_s": "D/S (partisipasi)",
    "n_d": "N/D (keberhasilan)",
    "attendance": "Kehadiran poktan",
    "cpr": "CPR",
}
CHART_PERCENT = "persen"
CHART_NO_DATA = "Belum ada laporan"
CHART_FILE = "grafik-{slug}-{period}.png"
XLSX_FILE = "rekap-{slug}-{period}.xlsx"
TEXT_FILE = "rekap-{slug}-{period}.txt"
# Recap figures in sheets, by the label_key of their spec; an int field not named here
# reads as its field label, a method field as its group's label and the method ("PA IUD").
RECAP_LABELS = {
    "k_s": "K/S",
    "d_s": "D/S",
    "d_k": "D/K",
    "n_d": "N/D",
    "n_s": "N/S",
    "bgm_d": "BGM/D",
    "t2_d": "2T/D",
    "meetings": "Pertemuan",
    "attendance": "Kehadiran",
    "pus_on_kb": "PUS ber-KB",
    "participation": "Partisipasi",
    "aktif": "PA",
    "baru": "PB",
    "cpr": "CPR",
    "mkjp": "MKJP",
    "unmet_need": "Unmet need",
    "bukan_peserta": "PUS bukan peserta KB",
}
# Where the summary sheet, with room for it, spells a label out.
RECAP_LABELS_LONG = {"aktif": "Peserta KB aktif", "baru": "Peserta KB baru"}
XLSX_PERCENT = "{label} %"
XLSX_QUALIFIED = "{form}: {label}"  # a figure several forms share, on the summary sheet
XLSX_QUALIFIED_COLUMN = "{form} {label}"  # ... and as a column of the district sheet
XLSX_SUMMARY = "Ringkasan"
XLSX_INDICATOR = "Indikator"
XLSX_VALUE = "Nilai"
XLSX_KAMPUNG = "Kampung KB"
XLSX_MONTH = "Bulan"
XLSX_UNIT = "Unit"
XLSX_FORM = "Laporan"
XLSX_KADER = "Kader"
XLSX_COMPLETENESS = "Kelengkapan"
XLSX_TIMELINESS = "Tepat waktu"
XLSX_MISSING_SHEET = "Belum lapor"
XLSX_NOT_REPORTED = "belum lapor"
# --- the layouts that go upstream (handlers/upstream): the labels the forms themselves use -
# The Kampung KB portal's month ("Data Perkembangan KKBPK"), the SIGA R/I registers and the
# posyandu SKDN rekap (F2 / SIP format 6). A row or column the chat form does not ask is
# kept, blank, and marked with UPSTREAM_NOT_ASKED_MARK; the note under the table says so.
UPSTREAM_FILE = "{layout}-{slug}-{period}.xlsx"
UPSTREAM_SHEET = {"portal": "Portal", "register": "Register", "skdn": "SKDN"}
UPSTREAM_TITLE = {
    "portal": "DATA PERKEMBANGAN KAMPUNG KB (PORTAL KAMPUNG KB)",
    "skdn": "REKAP SKDN POSYANDU (F2 / SIP FORMAT 6)",
}
UPSTREAM_REGISTER_CODE = {
    "bkb": "R/I/BKB",
    "bkr": "R/I/BKR",
    "bkl": "R/I/BKL",
    "uppka": "R/I/UPPKA",
    "pikr": "R/I/PIK-R",
}
UPSTREAM_REGISTER_TITLE = "REGISTER KEGIATAN KELOMPOK {form} ({code})"
UPSTREAM_KAMPUNG = "Kampung KB"
UPSTREAM_KELURAHAN = "Desa/Kelurahan"
UPSTREAM_KECAMATAN = "Kecamatan"
UPSTREAM_KODE_WILAYAH = "Kode wilayah"
UPSTREAM_KODE_POKTAN = "Kode poktan"
UPSTREAM_NOMOR_REGISTER = "Nomor register kelompok"
UPSTREAM_NAMA_KELOMPOK = "Nama kelompok"
UPSTREAM_MONTH = "Bulan lapor"
UPSTREAM_NO = "No"
UPSTREAM_ITEM = "Uraian"
UPSTREAM_AMOUNT = "Jumlah"
UPSTREAM_NOTE = "Keterangan"
UPSTREAM_NOT_REPORTED = "belum lapor"
UPSTREAM_NO_GROUP = "tidak ada kelompok terdaftar"
UPSTREAM_GROUPS = "{units} kelompok, {reports} pertemuan"
UPSTREAM_NOT_ASKED_MARK = " *"
UPSTREAM_NOT_ASKED = (
    "* tidak ditanyakan di formulir KaderBot: dibiarkan kosong, isi dengan tangan bila ada."
)
UPSTREAM_BLANK_NOTE = "Sel kosong: belum lapor atau dilewati kader (bukan 0)."
# The portal month: sections and their rows, in the portal's order.
PORTAL_SECTIONS = {
    "poktan": "A. Peserta kegiatan kelompok (poktan)",
    "aktif": "B. PUS peserta KB menurut metode kontrasepsi",
    "bukan": "C. PUS bukan peserta KB menurut alasan",
    "pus": "D. Pasangan usia subur (PUS)",
    "bpjs": "E. Pengguna BPJS Kesehatan / JKN",
}
PORTAL_POKTAN = {
    "bkb": "Keluarga anggota BKB (Bina Keluarga Balita)",
    "bkr": "Keluarga anggota BKR (Bina Keluarga Remaja)",
    "bkl": "Keluarga anggota BKL (Bina Keluarga Lansia)",
    "uppka": "Keluarga anggota UPPKA",
    "pikr": "Remaja anggota PIK-R",
}
PORTAL_METHODS = {
    "iud": "IUD / AKDR",
    "mow": "MOW (tubektomi)",
    "mop": "MOP (vasektomi)",
    "kondom": "Kondom",
    "implan": "Implan",
    "suntik": "Suntik",
    "pil": "Pil",
}
PORTAL_AKTIF_TOTAL = "Jumlah PUS peserta KB"
PORTAL_REASONS = {
    "hamil": "Hamil",
    "ias": "Ingin anak segera (IAS)",
    "iat": "Ingin anak ditunda (IAT)",
    "tial": "Tidak ingin anak lagi (TIAL)",
}
PORTAL_BUKAN_TOTAL = "Jumlah PUS bukan peserta KB"
PORTAL_PUS = "Jumlah PUS"
PORTAL_BPJS = "PUS peserta KB pengguna BPJS Kesehatan / JKN"
# The registers: one column per key; a key the form does not ask is blank and marked.
REGISTER_COLUMNS = {
    "tanggal": "Tanggal",
    "kelompok_umur": "Kelompok umur",
    "materi": "Materi",
    "penyaji": "Penyaji",
    "diskusi": "Diskusi / tanya jawab",
    "anggota": "Keluarga anggota",
    "hadir": "Keluarga anggota hadir",
    "kader_hadir": "Kader hadir",
    "pus_anggota": "PUS anggota",
    "pus_kb": "PUS anggota ber-KB",
    "lansia_mandiri": "Lansia mandiri",
    "lansia_pendamping": "Lansia butuh pendamping",
    "jenis_usaha": "Jenis usaha",
    "modal": "Dapat modal",
    "konseling": "Konseling",
    "catatan": "Catatan",
}
# PIK-R counts teenagers, not families.
REGISTER_COLUMNS_PIKR = {"anggota": "Remaja anggota", "hadir": "Remaja anggota hadir"}
REGISTER_TOTAL = "Jumlah ({meetings} pertemuan)"
REGISTER_NO_MEETING = "belum lapor / tidak ada pertemuan"
SIGN_PLACE_DATE = "...................., tanggal ...................."
SIGN_KNOWN = "Mengetahui,"
SIGN_PEMBINA = "Pembina (PLKB/PKB)"
SIGN_KETUA = "Ketua Kelompok"
SIGN_NAME = "(....................................)"
# The SKDN rekap's columns, by recap figure key.
SKDN_COLUMNS = {
    "s": "S",
    "k": "K",
    "d": "D",
    "n": "N",
    "t": "T",
    "o": "O",
    "b": "B",
    "t2": "2T",
    "bgm": "BGM",
    "k_s": "K/S %",
    "d_s": "D/S %",
    "n_d": "N/D %",
    "n_s": "N/S %",
    "bgm_d": "BGM/D %",
    "t2_d": "2T/D %",
    "bumil": "Ibu hamil datang",
    "kader_hadir": "Kader bertugas",
}
SKDN_POSYANDU = "Posyandu"
SKDN_TOTAL = "Jumlah desa/kelurahan"
# /unduh: the ketua's and the PLKB's files in these layouts.
UNDUH_PICK_LAYOUT = "Unduh laporan dalam format apa?"
UNDUH_LAYOUTS = {
    "portal": "Portal Kampung KB",
    "register": "Register R/I poktan",
    "skdn": "Rekap SKDN (F2)",
}
UNDUH_PICK_MONTH = "Untuk bulan apa? (atau ketik, misal: oktober, 2026-10)"
UNDUH_BAD_MONTH = "Bulan itu tidak ada. Pilih salah satu bulan di bawah."
UNDUH_ONLY_CHAIRS = "Unduhan format portal, register R/I dan SKDN hanya untuk ketua pokja dan PLKB."
UNDUH_READY = "{layout}, {month}: {place}. Siap dicetak di kertas A4."
UNDUH_FAILED = "Maaf, berkasnya belum bisa dibuat sekarang; coba kirim /unduh lagi nanti."
REMINDER_TOMORROW = "besok"
REMINDER_IN_DAYS = "{days} hari lagi"
REMINDER_MEETING = (
    "⏰ Pengingat: {unit} berkegiatan {when}, {date}. Setelah kegiatan, laporkan dengan /lapor."
)
REMINDER_POKJA = "⏰ Pengingat: rapat pokja {kampung} {when}, {date}."
FOLLOW_UP = (
    "Laporan {unit} untuk {month} belum masuk (batas tanggal {deadline} sudah lewat). "
    "Kirim /lapor untuk mengisinya sekarang."
)
MISSING_LIST = "Laporan {month} yang belum masuk (batas tanggal {deadline}):"
# The status before the final recap (recap_day): who reported, who is still due, by when.
STATUS_TITLE = "📋 Status laporan {month}\n{kampung}"
STATUS_REPORTED = "Sudah lapor ({reported} dari {expected} unit):"
STATUS_NONE_REPORTED = "Belum ada unit yang lapor ({expected} unit diharapkan)."
STATUS_UNIT = "• {unit}"
STATUS_DUE = "Belum lapor:"
STATUS_ALL_IN = "Semua unit sudah lapor. Terima kasih! 🙏"
STATUS_DATES = "Batas lapor: {deadline}. Rekap akhir dikirim {final}."
DISTRICT_STATUS_TITLE = "📋 Status laporan {month}\nKecamatan {kecamatan}"
DISTRICT_STATUS_ROW = "• {kampung}: {reported} dari {expected} unit sudah lapor"
REMINDERS_OFF = "Pengingat dimatikan. Kirim /pengingat on untuk menyalakannya lagi."
REMINDERS_ON = "Pengingat dinyalakan. Anda akan diingatkan sebelum kegiatan."
REMINDERS_USAGE = (
    "Kirim /pengingat off untuk mematikan pengingat, atau /pengingat on untuk menyalakannya."
)
RECAP_BAD_MONTH = "Bulannya belum terbaca. Contoh: /rekap, /rekap oktober, /rekap 2026-10."
RECAP_OUT_OF_RANGE = "Rekap bisa dibuat untuk {first} sampai {last}. Contoh: /rekap {example}."
RECAP_FAILED = "Maaf, rekap belum bisa dibuat sekarang; coba kirim /rekap lagi nanti."

# WhatsApp: the list button, the list's heading, and the line under numbered choices.
WA_LIST_BUTTON = "Pilih"
WA_LIST_TITLE = "Pilihan"
WA_TYPE_NUMBER = "Ketik nomornya."
WA_CHOOSE = "Silakan pilih:"

# Telegram's command menu (set_my_commands): command -> description.
COMMANDS = (
    ("lapor", "Isi laporan"),
    ("status", "Lihat laporan yang sudah dan belum masuk"),
    ("ubah", "Perbaiki laporan"),
    ("batal", "Berhenti mengisi laporan"),
    ("rekap", "Rekap bulan ini atau bulan tertentu"),
    ("pengingat", "Nyalakan atau matikan pengingat"),
    ("bantuan", "Cara memakai bot"),
)

# The terminal channel (`kaderbot chat`).
CONSOLE_WELCOME = (
    "KaderBot di terminal, sebagai '{user}'. Ketik 'keluar' atau tekan Ctrl-D untuk berhenti."
)
CONSOLE_CHOICES = "Pilihan: "
CONSOLE_FILE = "Berkas: {path}"
CONSOLE_EXIT_WORDS = ("keluar", "exit", "quit")

# --- the ketua's review of reports ------------------------------------------------------
REVIEW_NEW = "📋 Laporan baru: {title}, {when} (revisi {revision})\nDari: {reporter}"
REVIEW_CORRECTED = "✏️ Laporan diperbaiki: {title}, {when} (revisi {revision})\nDari: {reporter}"
REVIEW_CHANGED = "Yang berubah:"
REVIEW_UNCHANGED = "Tidak ada angka yang berubah."
REVIEW_KEPT_APPROVAL = "Persetujuan sebelumnya tetap berlaku."
REVIEW_WARNINGS = "Perlu diperhatikan:"
REVIEW_APPROVE = "Setujui"
REVIEW_RETURN = "Kembalikan"
REVIEW_APPROVED = "Disetujui ✅ {title}, {when} (revisi {revision})."
REVIEW_ALREADY_APPROVED = "Laporan {title} sudah disetujui oleh {name} ({at})."
# Another ketua of the Kampung KB decided first (see review.py).
REVIEW_ALREADY_RETURNED = (
    "Laporan {title} sudah dikembalikan oleh {name} ({at}) dengan alasan: {reason}. "
    "Menunggu perbaikan dari kader."
)
REVIEW_RETURN_UNDOES_APPROVAL = (
    "Laporan {title} sudah disetujui oleh {name} ({at}); bila dikembalikan, persetujuan itu batal."
)
REVIEW_ONLY_KETUA = "Hanya ketua pokja Kampung KB laporan ini yang dapat memeriksanya."
REVIEW_STALE = (
    "Laporan {title} sudah diperbaiki (sekarang revisi {revision}). Yang terbaru dikirim "
    "untuk diperiksa."
)
REVIEW_BUSY = "Selesaikan atau /batal dulu laporan yang sedang Anda isi, lalu tekan tombolnya lagi."
REVIEW_REASON_ASK = "Kenapa laporan {title} dikembalikan? Ketik alasannya, atau pilih:"
REVIEW_REASONS = (
    "Angka tidak masuk akal",
    "Tanggal salah",
    "Data belum lengkap",
    "Salah unit",
)
REVIEW_REASON_TOO_LONG = "Alasan terlalu panjang ({length} huruf, paling banyak {limit})."
REVIEW_RETURNED = "Laporan {title} dikembalikan ke {kader} dengan alasan: {reason}"
REVIEW_RETURNED_NOBODY = "Laporan {title} ditandai dikembalikan; pelapornya sudah tidak terdaftar."
REVIEW_TO_KADER = (
    "↩️ Laporan {title}, {when} (revisi {revision}) dikembalikan oleh {ketua}.\n"
    "Alasan: {reason}\nTekan Perbaiki untuk mengubahnya."
)
REVIEW_FIX = "Perbaiki"
# A report returned after its month's deadline: the month is reopened for the kader too.
REVIEW_RETURN_OPENED = (
    "Batas lapor sudah lewat, jadi laporan {month} dibuka untuk {kader} sampai {until} "
    "agar bisa diperbaiki."
)
REVIEW_RETURN_OPEN_FOR_YOU = "Laporan {month} dibuka untuk Anda sampai {until}."
REVIEW_DIGEST = "📋 {count} laporan menunggu pemeriksaan Anda:"
REVIEW_DIGEST_LINE = "{number}. {title}, {when} (revisi {revision}), dari {reporter}: {figures}"
REVIEW_DIGEST_WARNED = "   ⚠️ {warnings}"
REVIEW_DIGEST_CHANGED = "   ✏️ berubah: {changes}"
REVIEW_DIGEST_HINT = "Setujui semua, atau tekan Periksa untuk satu laporan."
REVIEW_DIGEST_MORE = "Ada {count} laporan lagi: lihat /status."
REVIEW_APPROVE_ALL = "Setujui semua"
REVIEW_SHOW = "Periksa {number}"
REVIEW_APPROVED_ALL = "{count} laporan disetujui ✅"
REVIEW_NOTHING_WAITING = "Tidak ada lagi laporan yang menunggu dari pesan itu."
REVIEW_DIGEST_TEMPLATE = "Ada laporan kader yang menunggu pemeriksaan Anda."
STATUS_REVIEW_WAITING = "Menunggu pemeriksaan Anda:"
STATUS_REVIEW_LINE = "• {title}, {when} (revisi {revision})"
STATUS_REVIEW_RETURNED = "Dikembalikan, menunggu perbaikan kader: {count}"
REVIEW_STATE_NAMES = {"approved": "disetujui", "waiting": "menunggu", "returned": "dikembalikan"}
RECAP_REVIEW_TITLE = "Pemeriksaan ketua (disetujui / menunggu / dikembalikan):"
RECAP_REVIEW_LINE = "• {unit}: {approved} / {waiting} / {returned}"
XLSX_REVIEW_SHEET = "Pemeriksaan"
XLSX_REVIEW_APPROVED = "Disetujui"
XLSX_REVIEW_WAITING = "Menunggu"
XLSX_REVIEW_RETURNED = "Dikembalikan"
