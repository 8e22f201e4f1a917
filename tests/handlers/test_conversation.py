"""The pure engine, turn by turn, without a database or a channel."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from handlers import conversation as engine
from handlers.messages import Incoming, Reply
from storage import InviteView, MemberView, ReportView, Role, UnitView

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
# Before November's deadline day (3): October may still be reported, as the README's
# one-message KB example does.
BEFORE_DEADLINE = date(2026, 11, 2)


def unit(unit_id: int, kind: str, name: str, meets: str | None = None) -> UnitView:
    return UnitView(unit_id, f"u{unit_id}", kind, name, "01", meets, 1, "Kampung KB Sukamaju")


MELATI = unit(1, "posyandu", "Posyandu Melati", "day 10")
CERIA = unit(2, "bkb", "BKB Ceria")
PPKBD = unit(3, "kb", "PPKBD Sukamaju")
UPPKA = unit(4, "uppka", "UPPKA Maju")
PIKR = unit(8, "pikr", "PIK-R Generasi Berencana")


def member(*units: UnitView, role: Role = "kader") -> MemberView:
    return MemberView(7, "Bu Sari", role, "Kampung KB Sukamaju", 1, "Asia/Jakarta", units)


@dataclass
class Chat:
    """Drives the engine as a channel would, applying no effects but recording them."""

    ctx: engine.Context
    state: engine.State = field(default_factory=engine.State)
    replies: list[Reply] = field(default_factory=list)
    effects: list[engine.Effect] = field(default_factory=list)

    def _turn(self, incoming: Incoming) -> Reply:
        outcome = engine.step(self.ctx, self.state, incoming)
        self.state = outcome.state
        self.effects.extend(outcome.effects)
        self.replies.extend(outcome.replies)
        assert len(outcome.replies) == 1
        return outcome.replies[0]

    def say(self, text: str) -> Reply:
        return self._turn(Incoming("test", "u", text=text, display_name="Bu Sari"))

    def press(self, label: str) -> Reply:
        choices = {c.label: c.value for c in self.replies[-1].choices}
        assert label in choices, f"{label!r} not in {list(choices)}"
        return self._turn(Incoming("test", "u", choice=choices[label]))

    @property
    def saved(self) -> list[engine.SaveReport]:
        return [e for e in self.effects if isinstance(e, engine.SaveReport)]


def chat(
    *units: UnitView,
    reports: tuple[ReportView, ...] = (),
    role: Role = "kader",
    today: date = TODAY,
) -> Chat:
    now = NOW + (
        datetime.combine(today, NOW.time(), UTC) - datetime.combine(TODAY, NOW.time(), UTC)
    )
    return Chat(engine.Context(member(*units, role=role), today, now, reports))


def posyandu_until_d(conversation: Chat) -> None:
    conversation.say("/lapor")
    for answer in ("10/11", "50", "40"):
        conversation.say(answer)


def test_d_above_k_is_a_warning_that_needs_confirmation() -> None:
    conversation = chat(MELATI)
    posyandu_until_d(conversation)
    reply = conversation.say("45")
    assert "D (45) lebih besar dari K (40)" in reply.text
    assert [c.label for c in reply.choices] == ["Ya, sudah benar", "Perbaiki"]
    reply = conversation.press("Perbaiki")
    assert "D: balita yang ditimbang" in reply.text
    conversation.say("45")
    reply = conversation.say("ya")
    assert "N: balita yang naik" in reply.text


def test_skdn_sum_warning_when_t_o_b_are_given() -> None:
    conversation = chat(MELATI)
    posyandu_until_d(conversation)
    conversation.say("38")
    conversation.say("30")  # N
    conversation.say("3")  # T
    conversation.say("1")  # O
    reply = conversation.say("1")  # B: 30 + 3 + 1 + 1 = 35, D = 38
    assert "N + T + O + B = 35, padahal D = 38" in reply.text
    reply = conversation.say("betul")
    assert "2T" in reply.text


def test_change_against_last_month_is_a_warning() -> None:
    october = ReportView(
        9, 1, "posyandu", "2026-10", date(2026, 10, 10), 1, NOW - timedelta(days=40), {"s": 20}
    )
    conversation = chat(MELATI, reports=(october,))
    conversation.say("/lapor")
    conversation.say("10/11")
    reply = conversation.say("50")
    assert "S: 50, bulan lalu 20 (berubah +150%)" in reply.text
    reply = conversation.say("33")  # neither yes nor no
    assert "pilih salah satu" in reply.text
    reply = conversation.press("Ya, sudah benar")
    assert "K: balita" in reply.text


def test_date_rules() -> None:
    conversation = chat(MELATI)
    conversation.say("/lapor")
    reply = conversation.say("25/11/2026")
    assert "belum lewat" in reply.text
    reply = conversation.say("1/9/2026")
    assert "lebih dari 40 hari" in reply.text
    reply = conversation.press("Kemarin")
    assert "S: jumlah balita" in reply.text


def test_note_too_long_and_empty_text() -> None:
    conversation = chat(MELATI)
    conversation.say("/lapor")
    for answer in ("10/11", "50", "48", "45", "40", "3", "1", "1", "1", "1", "6", "5"):
        reply = conversation.say(answer)
    assert "Catatan" in reply.text
    reply = conversation.say("x" * 501)
    assert "Terlalu panjang (501 huruf)" in reply.text
    reply = conversation.say("lewati")
    assert "Ringkasan" in reply.text and "Catatan: -" in reply.text


def test_batal_leaves_the_form_and_nothing_is_saved() -> None:
    conversation = chat(MELATI)
    posyandu_until_d(conversation)
    reply = conversation.say("batal")
    assert "Dibatalkan" in reply.text and conversation.state.draft is None
    reply = conversation.say("/batal")
    assert "Tidak ada laporan yang sedang diisi" in reply.text
    assert conversation.saved == []


def test_busy_form_is_not_lost_by_another_command() -> None:
    conversation = chat(MELATI)
    posyandu_until_d(conversation)
    reply = conversation.say("/lapor")
    assert "masih mengisi laporan Posyandu Melati" in reply.text
    assert "D: balita" in reply.text
    reply = conversation.say("/bantuan")
    assert "/lapor" in reply.text and "D: balita" in reply.text
    reply = conversation.say("/status")
    assert "Status laporan November 2026" in reply.text and "D: balita" in reply.text


def test_stale_button_gets_the_current_question() -> None:
    conversation = chat(MELATI)
    conversation.say("/lapor")
    old = conversation.replies[-1].choices[0]  # "Hari ini"
    conversation.say("10/11")
    reply = conversation._turn(Incoming("test", "u", choice=old.value))
    assert "Tombol itu dari pertanyaan sebelumnya" in reply.text
    assert "S: jumlah balita" in reply.text
    assert conversation.state.draft and conversation.state.draft.answers == {
        "tanggal": "2026-11-10"
    }


def test_labels_and_numbers_can_be_typed_for_buttons() -> None:
    conversation = chat(MELATI, CERIA)
    reply = conversation.say("halo")
    assert reply.text.endswith("Mau melakukan apa?")
    reply = conversation.say("1")  # Lapor
    assert "unit mana" in reply.text
    reply = conversation.say("bkb ceria")
    assert "Tanggal pertemuan" in reply.text


def test_summary_edit_and_back() -> None:
    conversation = chat(CERIA)
    conversation.say("/lapor")
    for answer in ("kemarin", "30", "25", "3"):
        conversation.say(answer)
    conversation.press("Stimulasi dengan KKA")
    conversation.press("Kader")
    conversation.say("20")
    reply = conversation.say("15")
    assert "Ringkasan" in reply.text
    conversation.press("Ubah")
    reply = conversation.press("Kembali")
    assert "Ringkasan" in reply.text
    conversation.press("Ubah")
    conversation.press("Hadir")
    reply = conversation.say("31")
    assert "Hadir tidak boleh lebih dari Anggota (30)" in reply.text
    reply = conversation.say("28")
    assert "Hadir: 28" in reply.text
    conversation.say("simpan")
    [saved] = conversation.saved
    assert saved.meeting_date == date(2026, 11, 19) and saved.period == "2026-11"
    assert saved.values["hadir"] == 28 and saved.values["materi"] == "Stimulasi dengan KKA"
    assert saved.revision == 1 and saved.correction_of is None


def test_kb_method_by_method_and_refusing_zero_fill() -> None:
    conversation = chat(PPKBD)
    conversation.say("/lapor")
    conversation.say("November 2026")
    conversation.say("100")
    reply = conversation.say("spiral 10")
    assert "Dianggap 0?" in reply.text
    reply = conversation.press("Tidak, ulangi")
    assert "IUD/spiral?" in reply.text
    for answer in ("10", "0", "0", "5", "15", "20", "10"):
        reply = conversation.say(answer)
    assert "Peserta KB baru (PB) bulan ini – IUD/spiral" in reply.text
    reply = conversation.say("11")
    assert "PB IUD/spiral tidak boleh lebih dari PA IUD/spiral (10)" in reply.text
    for answer in ("1", "0", "0", "0", "2", "3", "1"):
        reply = conversation.say(answer)
    for answer in ("5", "5", "10", "20"):  # 60 + 40 = 100 = PUS
        reply = conversation.say(answer)
    assert "Ringkasan" in reply.text and "PA suntik: 20" in reply.text
    reply = conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.period == "2026-11" and saved.meeting_date is None
    assert sum(v for k, v in saved.values.items() if k.startswith("aktif_")) == 60  # type: ignore[misc]


def test_kb_balance_fix_by_method_list() -> None:
    conversation = chat(PPKBD)
    conversation.say("/lapor")
    conversation.press("November 2026")
    conversation.say("100")
    conversation.say("iud 10 mow 0 mop 0 kondom 5 implan 15 suntik 20 pil 10")
    conversation.say("iud 0 mow 0 mop 0 kondom 0 implan 0 suntik 0 pil 0")
    for answer in ("5", "5", "10"):
        conversation.say(answer)
    reply = conversation.say("10")  # 60 + 30 = 90 ≠ 100
    assert "Selisih 10" in reply.text
    reply = conversation.press("Peserta KB aktif")
    assert "IUD/spiral?" in reply.text and "(jawaban sebelumnya: 10)" in reply.text
    reply = conversation.say("iud 20 mow 0 mop 0 kondom 5 implan 15 suntik 20 pil 10")
    assert "Ringkasan" in reply.text and "PA IUD/spiral: 20" in reply.text


def correction_report() -> ReportView:
    return ReportView(
        5,
        1,
        "posyandu",
        "2026-11",
        date(2026, 11, 10),
        2,
        datetime(2026, 11, 10, 12, 0, tzinfo=UTC),
        {"s": 50, "k": 48, "d": 45, "n": 40, "bgm": 1, "bumil": 6, "kader_hadir": 5},
    )


def test_duplicate_is_offered_as_correction_or_cancelled() -> None:
    conversation = chat(MELATI, reports=(correction_report(),))
    conversation.say("/lapor")
    reply = conversation.say("12/11")
    assert "Sudah ada laporan Posyandu Melati untuk November 2026 (revisi 2" in reply.text
    reply = conversation.press("Batal")
    assert "Dibatalkan" in reply.text
    conversation.say("/lapor")
    conversation.say("12/11")
    reply = conversation.say("ya")
    assert "(perbaikan)" in reply.text and "S: 50" in reply.text
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.correction_of == 5 and saved.revision == 3
    assert saved.meeting_date == date(2026, 11, 12)


def test_ubah_without_reports() -> None:
    reply = chat(MELATI).say("/ubah")
    assert "Belum ada laporan" in reply.text


def test_uppka_meeting_guided_with_buttons_and_rules() -> None:
    conversation = chat(UPPKA)
    reply = conversation.say("/lapor")
    assert "Laporan UPPKA Maju" in reply.text and "Tanggal pertemuan" in reply.text
    conversation.press("Kemarin")
    conversation.say("25 KK")  # anggota
    reply = conversation.say("30")  # hadir above anggota
    assert "Hadir tidak boleh lebih dari Anggota (25)" in reply.text
    conversation.say("20")
    conversation.say("18")  # PUS anggota
    reply = conversation.say("12")  # PUS ber-KB
    assert [c.label for c in reply.choices][:2] == ["Makanan/minuman", "Kerajinan"]
    reply = conversation.say("kerajinan")  # a button by its word
    assert "modal bergulir" in reply.text and [c.label for c in reply.choices] == ["Ya", "Tidak"]
    conversation.press("Ya")
    reply = conversation.say("lewati")
    assert "Ringkasan laporan UPPKA Maju" in reply.text and "Jenis usaha: Kerajinan" in reply.text
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.form == "uppka" and saved.meeting_date == date(2026, 11, 19)
    assert saved.values == {
        "anggota": 25,
        "hadir": 20,
        "pus_anggota": 18,
        "pus_kb": 12,
        "jenis_usaha": "Kerajinan",
        "modal": "Ya",
    }


def test_pikr_meeting_in_one_message() -> None:
    conversation = chat(PIKR)
    reply = conversation.say(
        "pikr kemarin anggota 40 hadir 31 materi triad krr: napza penyaji konselor sebaya "
        "konseling 4"
    )
    assert "Ringkasan laporan PIK-R Generasi Berencana" in reply.text, reply.text
    assert "Materi: TRIAD KRR: NAPZA" in reply.text and "Konseling: 4" in reply.text
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.values["penyaji"] == "Konselor sebaya" and saved.values["hadir"] == 31


def test_plkb_sees_kampung_status_and_has_no_forms() -> None:
    other = replace(MELATI, id=11, kampung_id=2, kampung_name="Kampung KB Mekarsari")
    report = replace(correction_report(), unit_id=11)
    conversation = chat(MELATI, CERIA, other, reports=(report,), role="plkb")
    reply = conversation.say("/lapor")
    assert "PLKB/PKB tidak mengisi laporan" in reply.text
    reply = conversation.say("/status")
    assert "Kampung KB Mekarsari: 1 dari 1 unit sudah lapor" in reply.text
    assert "Kampung KB Sukamaju: 0 dari 2 unit sudah lapor" in reply.text


def test_status_shows_last_month_missing_until_the_deadline() -> None:
    early = engine.Context(member(MELATI), date(2026, 12, 2), NOW, (correction_report(),))
    text = engine.status_text(early)
    assert "⏳ Posyandu Melati: belum" in text
    assert "jadwal berikutnya: Kamis, 10 Desember 2026" in text
    assert "November 2026 belum masuk" not in text
    missing = engine.Context(member(MELATI), date(2026, 12, 2), NOW, ())
    assert "laporan November 2026 belum masuk (batas tanggal 3)" in engine.status_text(missing)
    late = engine.Context(member(MELATI), date(2026, 12, 4), NOW, ())
    assert "belum masuk" not in engine.status_text(late)


def invite(**changes: object) -> InviteView:
    base = InviteView(
        3,
        "AB12CD34",
        "kader",
        "Kampung KB Sukamaju",
        1,
        2,
        "BKB Ceria",
        NOW + timedelta(days=7),
        False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def register(ctx: engine.Context) -> tuple[str, tuple[engine.Effect, ...]]:
    outcome = engine.step(ctx, engine.State(), Incoming("t", "u", "/start ab12cd34", None, "Sari"))
    return outcome.replies[0].text, outcome.effects


def test_registration_outcomes() -> None:
    text, effects = register(engine.Context(None, TODAY, NOW, invite=invite()))
    assert "Selamat datang, Sari" in text and "kader di BKB Ceria, Kampung KB Sukamaju" in text
    assert effects == (engine.RegisterMember(3, "Sari"),)
    text, effects = register(engine.Context(None, TODAY, NOW, invite=None))
    assert "tidak dikenal" in text and effects == ()
    text, effects = register(engine.Context(None, TODAY, NOW, invite=invite(used=True)))
    assert "sudah dipakai" in text and effects == ()
    expired = invite(expires_at=NOW - timedelta(seconds=1))
    text, effects = register(engine.Context(None, TODAY, NOW, invite=expired))
    assert "kedaluwarsa" in text and effects == ()
    text, effects = register(engine.Context(member(MELATI), TODAY, NOW, invite=invite()))
    assert "BKB Ceria ditambahkan" in text and effects == (engine.AddUnit(3, 7),)
    ketua_invite = invite(role="ketua", unit_id=None, unit_name=None)
    text, effects = register(engine.Context(member(MELATI), TODAY, NOW, invite=ketua_invite))
    assert "Kode ini untuk tempat atau peran lain" in text and effects == ()


def test_reports_are_needed_only_where_they_are_read() -> None:
    conversation = chat(MELATI)

    def needs(text: str) -> bool:
        said = engine.understand(Incoming("test", "u", text=text))
        return engine.needs_reports(conversation.state, said)

    assert needs("halo")
    conversation.say("/lapor")
    assert needs("10/11")
    conversation.say("10/11")
    assert not needs("50")
    assert needs("/status")


def test_readme_one_message_examples_add_up_and_confirm_left_out_methods_once() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("## One-message reports", 1)[1].split("```")[1]
    [kb_line] = [line for line in block.splitlines() if line.startswith("kb ")]
    session = chat(PPKBD, today=BEFORE_DEADLINE)
    reply = session.say(kb_line)
    assert reply.text.count("Dianggap 0?") == 1
    assert "peserta KB baru IUD/spiral, MOW (steril wanita)" in reply.text
    reply = session.press("Ya")
    assert "Ringkasan laporan KB" in reply.text, "the line adds up: no balance question"
    session.press("Simpan")
    [saved] = session.saved
    aktif = sum(v for k, v in saved.values.items() if k.startswith("aktif_") and isinstance(v, int))
    assert (saved.values["pus"], aktif) == (628, 447)
    assert saved.values["baru_iud"] == 0 and saved.values["baru_pil"] == 4


# --- found by trying the bot as a careless kader ----------------------------------------


def test_a_one_message_correction_changes_only_what_it_names() -> None:
    full = replace(
        correction_report(),
        values={**correction_report().values, "t": 3, "o": 1, "b": 1, "t2": 1, "catatan": "lama"},
    )
    conversation = chat(MELATI, reports=(full,))
    reply = conversation.say("posyandu 10/11 S52")
    assert "Mau memperbaiki laporan itu?" in reply.text
    reply = conversation.say("ya")
    assert "S: 52" in reply.text and "T: 3" in reply.text and "Catatan: lama" in reply.text
    conversation.say("simpan")
    [saved] = conversation.saved
    assert saved.values == {**full.values, "s": 52}


def test_2t_is_held_to_d_when_t_is_skipped() -> None:
    conversation = chat(MELATI)
    conversation.say("/lapor")
    for answer in ("10/11", "50", "48", "45", "40", "lewati", "1", "1"):
        conversation.say(answer)
    reply = conversation.say("300")  # 2T
    assert "2T tidak boleh lebih dari D (45). Anda menulis 300." in reply.text


def test_words_at_a_text_question_are_the_answer_not_a_command() -> None:
    conversation = chat(MELATI)
    conversation.say("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5")
    conversation.press("Ubah")
    conversation.press("Catatan")
    reply = conversation.say("daftar hadir ketinggalan di balai")
    assert "Catatan: daftar hadir ketinggalan di balai" in reply.text
    conversation.press("Ubah")
    conversation.press("Catatan")
    reply = conversation.say("pengingat jadwal imunisasi")
    assert "Catatan: pengingat jadwal imunisasi" in reply.text
    assert not [e for e in conversation.effects if isinstance(e, engine.SetReminders)]
    reply = conversation.say("ya")  # "Sudah benar?" answered in words
    assert "Tersimpan" in reply.text


def test_control_characters_never_reach_an_answer() -> None:
    conversation = chat(MELATI)
    conversation.say(
        "posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5 catatan nul \x00 di\ud800 sini"
    )
    conversation.say("simpan")
    [saved] = conversation.saved
    assert saved.values["catatan"] == "nul di sini"


def test_relative_dates_that_name_no_single_day_are_asked_again() -> None:
    conversation = chat(MELATI)
    conversation.say("/lapor")
    reply = conversation.say("bulan lalu")
    assert "tanggalnya belum terbaca" in reply.text
    reply = conversation.say("minggu lalu")
    assert "tanggalnya belum terbaca" in reply.text
    reply = conversation.say("jumat lalu")  # said on Friday 20 Nov: a week ago
    assert "S: jumlah balita" in reply.text
    assert conversation.state.draft is not None
    assert conversation.state.draft.answers["tanggal"] == "2026-11-13"


def test_fixing_a_warned_value_does_not_offer_it_back() -> None:
    conversation = chat(MELATI, reports=(correction_report(),))
    conversation.say("/ubah")
    conversation.press("Posyandu Melati – November 2026")
    conversation.press("Ubah")
    conversation.press("D")
    reply = conversation.say("49")  # D above K: a warning
    assert "D (49) lebih besar dari K (48)" in reply.text
    reply = conversation.press("Perbaiki")
    assert "D: balita yang ditimbang" in reply.text and "jawaban sebelumnya: 49" not in reply.text


def test_kb_month_outside_the_two_allowed_says_which() -> None:
    conversation = chat(PPKBD)
    conversation.say("/lapor")
    reply = conversation.say("september")
    assert "Laporan KB hanya untuk November 2026 atau Oktober 2026" in reply.text


def test_every_readme_one_message_example_reaches_the_summary() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("## One-message reports", 1)[1].split("```")[1]
    units = {"posyandu": MELATI, "bkb": CERIA, "kb": PPKBD, "uppka": UPPKA, "pikr": PIKR}
    for line in block.strip().splitlines():
        form = line.split()[0]
        today = BEFORE_DEADLINE if form == "kb" else TODAY  # the KB line names October
        reply = chat(units[form], today=today).say(line)
        assert "Ringkasan laporan" in reply.text or "Dianggap 0?" in reply.text, line
