"""/undang and /anggota in the pure engine: who may invite and remove whom, step by step."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import conversation as engine
from handlers.conversation.tokens import Act, Token, encode
from handlers.messages import Incoming
from storage import MemberListing, MemberView, Role, UnitView
from tests.handlers.test_conversation import CERIA, MELATI, NOW, PPKBD, TODAY, Chat, unit

POKJA = unit(5, "pokja", "Pokja Kampung KB Sukamaju")
ANGGREK = UnitView(9, "u9", "posyandu", "Posyandu Anggrek", "", None, 2, "Kampung KB Mekarsari")
KETUA_ID = 7

SELF = MemberListing(KETUA_ID, "Bu Sari", "ketua", "telegram", "Kampung KB Sukamaju")
BUDI = MemberListing(
    11, "Pak Budi", "kader", "whatsapp", "Kampung KB Sukamaju", ("Posyandu Melati",), "2026-10"
)
RINA = MemberListing(12, "Bu Rina", "kader", "telegram", "Kampung KB Sukamaju", ("BKB Ceria",))


def manager(role: Role = "ketua", *units: UnitView) -> MemberView:
    place = "Kecamatan Cibeunying" if role == "plkb" else "Kampung KB Sukamaju"
    kampung_id = None if role == "plkb" else 1
    return MemberView(
        KETUA_ID, "Bu Sari", role, place, kampung_id, "Asia/Jakarta", units, "Cibeunying"
    )


def chat_as(
    role: Role = "ketua",
    *units: UnitView,
    members: tuple[MemberListing, ...] = (),
    bot_username: str | None = "KaderTestBot",
) -> Chat:
    units = units or (MELATI, CERIA, PPKBD, POKJA)
    ctx = engine.Context(
        manager(role, *units),
        TODAY,
        NOW,
        members=members,
        fresh_code="K7M2QX9A",
        bot_username=bot_username,
    )
    return Chat(ctx)


def labels(chat: Chat) -> list[str]:
    return [c.label for c in chat.replies[-1].choices]


def test_ketua_invites_a_kader_for_a_unit_in_one_message_to_forward() -> None:
    chat = chat_as()
    reply = chat.say("/undang")
    assert "Siapa yang mau diundang ke Kampung KB Sukamaju?" in reply.text
    assert labels(chat) == ["Kader", "Ketua pokja", "Batal"]
    reply = chat.press("Kader")
    # The Kampung KB's units of every kind, but not its pokja (kegiatan needs no invite).
    assert labels(chat) == ["Posyandu Melati", "BKB Ceria", "PPKBD Sukamaju", "Batal"]
    reply = chat.press("BKB Ceria")
    assert chat.effects == [engine.CreateInvite("K7M2QX9A", "kader", 1, CERIA.id)]
    assert reply.choices == (), "the message is the invite alone, ready to forward"
    assert reply.text == (
        "Undangan KaderBot untuk kader BKB Ceria, Kampung KB Sukamaju.\n\n"
        "Lewat Telegram: buka https://t.me/KaderTestBot?start=K7M2QX9A\n"
        "Lewat WhatsApp: kirim pesan DAFTAR K7M2QX9A ke nomor WhatsApp KaderBot.\n\n"
        "Kode K7M2QX9A hanya untuk satu orang, berlaku sampai 27 Nov 2026."
    )
    assert chat.state.step is engine.Step.IDLE


def test_typos_at_the_invite_questions_are_asked_again() -> None:
    chat = chat_as(bot_username=None)
    chat.say("undang")  # the plain word works too (WhatsApp)
    reply = chat.say("kadr")
    assert "pilih salah satu tombol" in reply.text and "Siapa yang mau diundang" in reply.text
    reply = chat.say("2")  # Ketua pokja, by its number
    assert chat.effects == [engine.CreateInvite("K7M2QX9A", "ketua", 1, None)]
    assert "untuk ketua pokja Kampung KB Sukamaju" in reply.text
    # Without the bot's username the Telegram line says what to send instead of a link.
    assert "Lewat Telegram: kirim /start K7M2QX9A ke bot KaderBot." in reply.text


def test_typo_at_the_unit_question_and_batal() -> None:
    chat = chat_as()
    chat.say("/undang")
    chat.press("Kader")
    reply = chat.say("posyandu")  # names one unit only: Posyandu Melati
    assert chat.effects and "kader Posyandu Melati" in reply.text
    chat.say("/undang")
    chat.press("Kader")
    reply = chat.say("lima")
    assert "pilih salah satu tombol" in reply.text and "Kader untuk unit mana?" in reply.text
    reply = chat.press("Batal")
    assert "Dibatalkan" in reply.text and len(chat.effects) == 1


def test_a_kader_can_neither_invite_nor_list_members() -> None:
    chat = Chat(engine.Context(replace(manager(), role="kader", units=(MELATI,)), TODAY, NOW))
    reply = chat.say("/undang")
    assert "Hanya ketua pokja yang bisa mengundang anggota baru" in reply.text
    reply = chat.say("/anggota")
    assert "Hanya ketua pokja yang bisa melihat dan mengatur daftar anggota" in reply.text
    assert chat.effects == [] and chat.state.step is engine.Step.IDLE
    assert "Undang anggota" not in labels(chat)


def test_menu_of_a_ketua_offers_inviting_and_the_member_list() -> None:
    chat = chat_as(members=(SELF, BUDI))
    chat.say("halo")
    assert labels(chat)[-3:] == ["Undang anggota", "Anggota", "Bantuan"]
    reply = chat.press("Anggota")
    assert "Anggota Kampung KB Sukamaju:" in reply.text


def test_plkb_invites_a_ketua_for_a_kampung_of_their_kecamatan() -> None:
    chat = chat_as("plkb", MELATI, CERIA, ANGGREK)
    chat.say("/undang")
    assert labels(chat) == ["Kampung KB Mekarsari", "Kampung KB Sukamaju", "Batal"]
    reply = chat.press("Kampung KB Mekarsari")
    assert chat.effects == [engine.CreateInvite("K7M2QX9A", "ketua", 2, None)]
    assert "untuk ketua pokja Kampung KB Mekarsari" in reply.text


def test_member_list_names_role_units_channel_and_last_report() -> None:
    chat = chat_as(members=(SELF, BUDI, RINA))
    reply = chat.say("/anggota")
    assert reply.text.splitlines()[:4] == [
        "Anggota Kampung KB Sukamaju:",
        "• Anda: Bu Sari – ketua pokja – Telegram – lapor terakhir: belum pernah",
        "1. Pak Budi – kader Posyandu Melati – WhatsApp – lapor terakhir: Oktober 2026",
        "2. Bu Rina – kader BKB Ceria – Telegram – lapor terakhir: belum pernah",
    ]
    assert labels(chat) == ["Pak Budi", "Bu Rina", "Tutup"]  # not themself


def test_remove_a_member_after_a_confirmation_that_names_them() -> None:
    chat = chat_as(members=(SELF, BUDI, RINA))
    chat.say("/anggota")
    reply = chat.say("4")  # no such button: the question again
    assert "pilih salah satu tombol" in reply.text and "Pak Budi" in reply.text
    reply = chat.say("2")  # Bu Rina, as numbered in the list
    assert "Hapus Bu Rina (kader BKB Ceria) dari daftar anggota?" in reply.text
    assert labels(chat) == ["Ya, hapus", "Batal"]
    reply = chat.say("hapuss")
    assert "pilih salah satu tombol" in reply.text and "Hapus Bu Rina" in reply.text
    assert chat.effects == []
    reply = chat.press("Ya, hapus")
    assert chat.effects == [engine.RemoveMember(RINA.id)]
    assert "Bu Rina sudah dihapus dari daftar anggota" in reply.text
    assert chat.state.step is engine.Step.IDLE and chat.state.removing is None


def test_batal_removes_nobody_and_tutup_closes_the_list() -> None:
    chat = chat_as(members=(SELF, BUDI))
    chat.say("/anggota")
    chat.press("Pak Budi")
    reply = chat.press("Batal")
    assert "Tidak ada yang dihapus" in reply.text and chat.effects == []
    chat.say("/anggota")
    reply = chat.press("Tutup")
    assert reply.text == "Mau melakukan apa?" and chat.effects == []


def test_a_ketua_cannot_remove_themself() -> None:
    chat = chat_as(members=(SELF, BUDI))
    chat.say("/anggota")
    reply = chat.say("bu sari")
    assert "Anda tidak bisa menghapus diri sendiri" in reply.text
    # Nor with a button made for it (a forged or tampered state): refused the same way.
    own = encode(chat.state.prompt, Token(Act.MEMBER, str(KETUA_ID)))
    assert chat.state.offered is not None
    chat.state.offered.choices.append(("Bu Sari", own))
    reply = chat._turn(Incoming("test", "u", choice=own))
    assert "Anda tidak bisa menghapus diri sendiri" in reply.text
    assert chat.effects == []


def test_a_member_gone_since_the_list_gets_the_stale_button_answer() -> None:
    chat = chat_as(members=(SELF, BUDI, RINA))
    chat.say("/anggota")
    chat.press("Pak Budi")
    # Another ketua (or the operator) removed Pak Budi meanwhile: this turn reads it so.
    chat.ctx = replace(chat.ctx, members=(SELF, RINA))
    reply = chat.press("Ya, hapus")
    assert "Tombol itu dari pertanyaan sebelumnya" in reply.text
    assert labels(chat) == ["Bu Rina", "Tutup"] and chat.effects == []
    # A button of a member of another Kampung KB is not among those offered.
    forged = encode(chat.state.prompt, Token(Act.MEMBER, "99"))
    reply = chat._turn(Incoming("test", "u", choice=forged))
    assert "Tombol itu dari pertanyaan sebelumnya" in reply.text and chat.effects == []


def test_members_are_loaded_only_when_read() -> None:
    idle = engine.State()
    said = engine.understand(Incoming("test", "u", text="/anggota"))
    assert engine.needs_members(idle, said)
    assert not engine.needs_members(idle, engine.understand(Incoming("test", "u", text="/lapor")))
    listing = engine.State(step=engine.Step.PICK_MEMBER)
    assert engine.needs_members(listing, engine.understand(Incoming("test", "u", text="2")))
    chat = chat_as(members=(SELF,))
    chat.say("halo")  # the menu: "Anggota" is its 6th button
    typed = engine.understand(Incoming("test", "u", text="6"))
    assert engine.needs_members(chat.state, typed)
    assert not engine.needs_members(chat.state, engine.understand(Incoming("test", "u", text="1")))


typed_or_pressed = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["ya", "tidak", "hapus", "batal", "1", "2", "3", "bu sari", "/anggota"]),
    st.integers(min_value=0, max_value=5).map(lambda n: f"#{n}"),  # the nth button shown
)


@settings(max_examples=150, deadline=None)
@given(st.lists(typed_or_pressed, min_size=1, max_size=6))
def test_nobody_is_removed_without_a_yes_to_their_name(inputs: list[str]) -> None:
    """Whatever is typed or pressed, one reply each time; a removal only right after the
    confirmation that named that member, and never of the ketua or someone not listed."""
    chat = chat_as(members=(SELF, BUDI, RINA))
    chat.say("/anggota")
    for said in inputs:
        shown = chat.replies[-1].choices
        asked = chat.state.removing if chat.state.step is engine.Step.CONFIRM_REMOVE else None
        before = len(chat.effects)
        if said[:1] == "#" and said[1:].isdigit() and int(said[1:]) < len(shown):
            chat.press(shown[int(said[1:])].label)
        else:
            chat.say(said)
        new = chat.effects[before:]
        if new:
            assert asked in (BUDI.id, RINA.id) and new == [engine.RemoveMember(asked)]
