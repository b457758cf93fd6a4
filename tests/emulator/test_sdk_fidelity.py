"""Drive the emulator with Cloudflare's official Python SDK: every answer must parse into the SDK's own types."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import List

import pytest

cloudflare = pytest.importorskip("cloudflare")

# pylint: disable=wrong-import-position
from cloudflare import Cloudflare  # noqa: E402
from cloudflare._wrappers import ResultWrapper  # noqa: E402
from cloudflare.pagination import SyncSinglePage, SyncV4PagePaginationArray  # noqa: E402
from cloudflare.types.accounts import Account  # noqa: E402
from cloudflare.types.zero_trust.dlp.email import (  # noqa: E402
    AccountMappingCreateResponse,
    AccountMappingGetResponse,
    RuleBulkEditResponse,
    RuleCreateResponse,
    RuleDeleteResponse,
    RuleGetResponse,
    RuleListResponse,
    RuleUpdateResponse,
)
from cloudflare.types.zero_trust.dlp.email.account_mapping_get_response import AuthRequirementsType, AuthRequirementsUnionMember0  # noqa: E402
from cloudflare.types.zero_trust.dlp import PatternValidateResponse, entry_get_response, entry_update_response  # noqa: E402
from cloudflare.types.zero_trust.dlp.entries import CustomCreateResponse, CustomUpdateResponse, custom_get_response  # noqa: E402
from cloudflare.types.zero_trust.dlp.profile import (  # noqa: E402
    CustomProfile,
    CustomProfileEntryCustomEntry,
    CustomProfileEntryWordListEntry,
    CustomProfileSharedEntryPredefinedEntry,
    IntegrationProfile,
    PredefinedProfile,
    PredefinedProfileEntryPredefinedEntry,
)
from cloudflare.types.zero_trust.dlp.profiles import PredefinedProfile as PredefinedProfileConfig  # noqa: E402
from cloudflare.types.zero_trust.dlp.profiles.predefined_profile import EntryPredefinedEntry as ConfigPredefinedEntry  # noqa: E402

from control import DEFAULT_EMAIL, DEFAULT_KEY, DEFAULT_TOKEN, Emulator  # noqa: E402

ACCOUNT = "0123456789abcdef0123456789abcdef"
ORGS = ["11111111-2222-3333-4444-555555555555", "contoso.onmicrosoft.com"]
CONDITIONS = [
    {"selector": "Recipients", "operator": "InList", "value": ["a@example.com", "b@example.com"]},
    {"selector": "Sender", "operator": "NotMatchRegex", "value": "^.*@example\\.org$"},
]


@pytest.fixture(name="client")
def fixture_client(emu: Emulator) -> Cloudflare:
    """An SDK client pointed at the emulator, without retries."""
    with Cloudflare(api_token=DEFAULT_TOKEN, base_url=emu.base_url, max_retries=0) as sdk:
        yield sdk


def test_account_mapping_create_and_get(client: Cloudflare, emu: Emulator) -> None:
    mappings = client.zero_trust.dlp.email.account_mapping
    with pytest.raises(cloudflare.NotFoundError) as excinfo:
        mappings.get(account_id=ACCOUNT)
    assert excinfo.value.status_code == 404 and [e.code for e in excinfo.value.errors] == [1551]

    created = mappings.create(account_id=ACCOUNT, auth_requirements={"type": "Org", "allowed_microsoft_organizations": ORGS})
    assert isinstance(created, AccountMappingCreateResponse)
    assert str(uuid.UUID(created.addin_identifier_token)) == created.addin_identifier_token
    assert created.auth_requirements.type == "Org" and created.auth_requirements.allowed_microsoft_organizations == ORGS

    got = mappings.get(account_id=ACCOUNT)
    assert isinstance(got, AccountMappingGetResponse)
    assert isinstance(got.auth_requirements, AuthRequirementsUnionMember0)
    assert got.addin_identifier_token == created.addin_identifier_token and got.auth_requirements.allowed_microsoft_organizations == ORGS

    again = mappings.create(account_id=ACCOUNT, auth_requirements={"type": "NoAuth"})
    assert again.addin_identifier_token == created.addin_identifier_token
    got = mappings.get(account_id=ACCOUNT)
    assert isinstance(got.auth_requirements, AuthRequirementsType) and got.auth_requirements.type == "NoAuth"

    emu.configure(absent_mapping="null")
    assert mappings.get(account_id="fedcba9876543210fedcba9876543210") is None
    assert [entry["method"] for entry in emu.log()] == ["GET", "POST", "GET", "POST", "GET", "GET"]


def test_rules_full_cycle(client: Cloudflare, emu: Emulator) -> None:
    rules = client.zero_trust.dlp.email.rules
    first = rules.create(account_id=ACCOUNT, name="first", enabled=True, conditions=CONDITIONS, action={"action": "Block", "message": "No"},
                         description="the first")
    assert isinstance(first, RuleCreateResponse)
    assert uuid.UUID(first.rule_id).version == 4
    assert (first.name, first.enabled, first.description, first.priority) == ("first", True, "the first", 0)
    assert [c.model_dump() for c in first.conditions] == CONDITIONS
    assert first.action.action == "Block" and first.action.message == "No"
    assert isinstance(first.created_at, datetime) and first.created_at.tzinfo is not None
    assert first.created_at.utcoffset() == timezone.utc.utcoffset(None) and first.created_at == first.updated_at

    second = rules.create(account_id=ACCOUNT, name="second", enabled=False, conditions=[{"selector": "DLPProfiles", "operator": "InList", "value": "p1"}],
                          action={"action": "Block"})
    assert second.priority == 1 and second.description is None and second.action.message is None
    assert second.conditions[0].value == "p1"

    page = rules.list(account_id=ACCOUNT)
    assert isinstance(page, SyncSinglePage)
    listed = list(page)
    assert all(isinstance(rule, RuleListResponse) for rule in listed)
    assert [rule.rule_id for rule in listed] == [first.rule_id, second.rule_id]

    got = rules.get(first.rule_id, account_id=ACCOUNT)
    assert isinstance(got, RuleGetResponse) and got.model_dump() == first.model_dump()

    updated = rules.update(second.rule_id, account_id=ACCOUNT, name="second v2", enabled=True, conditions=CONDITIONS,
                           action={"action": "Block", "message": None}, description=None)
    assert isinstance(updated, RuleUpdateResponse)
    assert (updated.rule_id, updated.name, updated.enabled, updated.priority, updated.created_at) == (second.rule_id, "second v2", True, 1, second.created_at)
    assert updated.updated_at > second.updated_at

    edited = rules.bulk_edit(account_id=ACCOUNT, new_priorities={second.rule_id: 0, first.rule_id: 1})
    assert isinstance(edited, RuleBulkEditResponse)
    assert (edited.rule_id, edited.priority) == (second.rule_id, 0)
    assert {rule.rule_id: rule.priority for rule in rules.list(account_id=ACCOUNT)} == {second.rule_id: 0, first.rule_id: 1}

    with pytest.raises(cloudflare.BadRequestError) as excinfo:
        rules.bulk_edit(account_id=ACCOUNT, new_priorities={str(uuid.uuid4()): 3})
    assert [e.code for e in excinfo.value.errors] == [1003]

    deleted = rules.delete(first.rule_id, account_id=ACCOUNT)
    assert isinstance(deleted, RuleDeleteResponse) and deleted.rule_id == first.rule_id and deleted.priority == 1
    with pytest.raises(cloudflare.NotFoundError):
        rules.get(first.rule_id, account_id=ACCOUNT)
    assert [rule.rule_id for rule in rules.list(account_id=ACCOUNT)] == [second.rule_id]

    log = emu.log()
    assert [(entry["method"], entry["status"]) for entry in log] == [
        ("POST", 200), ("POST", 200), ("GET", 200), ("GET", 200), ("PUT", 200), ("PATCH", 200), ("GET", 200), ("PATCH", 400),
        ("DELETE", 200), ("GET", 404), ("GET", 200)]
    assert all(entry["headers"]["authorization"] == "REDACTED" for entry in log)
    assert log[4]["body"]["description"] is None


def test_email_and_key_auth(emu: Emulator) -> None:
    with Cloudflare(api_email=DEFAULT_EMAIL, api_key=DEFAULT_KEY, base_url=emu.base_url, max_retries=0) as sdk:
        assert not list(sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT))
    headers = emu.log()[0]["headers"]
    assert headers["x-auth-email"] == DEFAULT_EMAIL and headers["x-auth-key"] == "REDACTED" and "authorization" not in headers


def test_sdk_error_types(emu: Emulator) -> None:
    with Cloudflare(api_token="wrong", base_url=emu.base_url, max_retries=0) as sdk:
        with pytest.raises(cloudflare.PermissionDeniedError) as excinfo:
            sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT)
        assert [e.code for e in excinfo.value.errors] == [10000]
    with Cloudflare(api_token=DEFAULT_TOKEN, base_url=emu.base_url, max_retries=0) as sdk:
        with pytest.raises(cloudflare.NotFoundError) as excinfo:
            sdk.zero_trust.dlp.email.rules.list(account_id="not-an-account")
        assert [e.code for e in excinfo.value.errors] == [7003, 7000]
        emu.configure(rate_limit={"requests": 2, "period": 30})  # the 404 above counted too
        sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT)
        with pytest.raises(cloudflare.RateLimitError) as excinfo:
            sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT)
        assert [e.code for e in excinfo.value.errors] == [971]
        assert 1 <= int(excinfo.value.response.headers["retry-after"]) <= 30


def test_sdk_retries_through_an_injected_5xx(emu: Emulator) -> None:
    emu.add_fault(method="GET", path=f"/client/v4/accounts/{ACCOUNT}/dlp/email/rules", status=503, headers={"Retry-After": "0.05"})
    with Cloudflare(api_token=DEFAULT_TOKEN, base_url=emu.base_url, max_retries=1) as sdk:
        assert not list(sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT))
    assert [entry["status"] for entry in emu.log()] == [503, 200]


def test_stray_email_env_overrides_explicit_token(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """SDK quirk: CLOUDFLARE_EMAIL in the environment makes the SDK drop an explicit api_token."""
    monkeypatch.setenv("CLOUDFLARE_EMAIL", DEFAULT_EMAIL)
    with Cloudflare(api_token=DEFAULT_TOKEN, base_url=emu.base_url, max_retries=0) as sdk:
        with pytest.raises(cloudflare.BadRequestError) as excinfo:
            sdk.zero_trust.dlp.email.rules.list(account_id=ACCOUNT)
    assert [e.code for e in excinfo.value.errors] == [9106]
    headers = emu.log()[0]["headers"]
    assert "authorization" not in headers and headers["x-auth-email"] == DEFAULT_EMAIL


def test_profiles_list_parses_into_the_sdk_profile_types(client: Cloudflare, emu: Emulator) -> None:
    custom, integration = emu.add_profiles(ACCOUNT, {"name": "Employee IDs", "description": "Badge numbers"}, {"name": "Slack", "type": "integration"})
    page = client.zero_trust.dlp.profiles.list(account_id=ACCOUNT)
    assert isinstance(page, SyncSinglePage)
    profiles = list(page)
    predefined = profiles[:-2]
    assert predefined and all(isinstance(profile, PredefinedProfile) and profile.type == "predefined" for profile in predefined)
    assert predefined[0].name == "Credit Card Numbers" and str(uuid.UUID(predefined[0].id)) == predefined[0].id
    assert predefined[0].allowed_match_count == 0 and predefined[0].open_access is False
    entry = predefined[0].entries[0]
    assert isinstance(entry, PredefinedProfileEntryPredefinedEntry)
    assert (entry.name, entry.enabled, entry.profile_id, entry.confidence.available) == ("Visa Card Number", True, predefined[0].id, True)

    assert isinstance(profiles[-2], CustomProfile)
    assert (profiles[-2].id, profiles[-2].name, profiles[-2].description, profiles[-2].ocr_enabled) == (
        custom["id"], "Employee IDs", "Badge numbers", False)
    assert isinstance(profiles[-2].created_at, datetime) and profiles[-2].created_at.tzinfo is not None
    assert isinstance(profiles[-1], IntegrationProfile)
    assert (profiles[-1].id, profiles[-1].name, profiles[-1].integration_id) == (integration["id"], "Slack", integration["integration_id"])

    assert [profile.id for profile in client.zero_trust.dlp.profiles.list(account_id=ACCOUNT, all=True)] == [profile.id for profile in profiles]
    assert [(entry["method"], entry["path"], entry["query"]) for entry in emu.log()] == [
        ("GET", f"/client/v4/accounts/{ACCOUNT}/dlp/profiles", ""), ("GET", f"/client/v4/accounts/{ACCOUNT}/dlp/profiles", "all=true")]


def seeded_accounts(count: int) -> list[dict]:
    """Accounts for GET /accounts: every third enterprise, every fifth managed by a partner organisation."""
    accounts = []
    for number in range(count):
        account = {"id": "%032x" % (0xacc0 + number), "name": "Tenant %03d" % number, "type": "enterprise" if number % 3 == 0 else "standard"}
        if number % 5 == 0:
            account["managed_by"] = {"parent_org_id": "%032x" % 0xbeef, "parent_org_name": "Partner Org"}
        accounts.append(account)
    return accounts


def test_accounts_list_pages_through_every_seeded_account(client: Cloudflare, emu: Emulator) -> None:
    seeded = emu.set_visible_accounts(seeded_accounts(120))
    first_page = client.accounts.list()
    assert isinstance(first_page, SyncV4PagePaginationArray)
    assert first_page.result_info.page == 1 and first_page.result_info.per_page == 20
    listed = list(first_page)  # the SDK asks for the next page until one is empty
    assert all(isinstance(account, Account) for account in listed)
    assert [account.id for account in listed] == [account["id"] for account in seeded]
    assert [entry["query"] for entry in emu.log()] == [""] + ["page=%d" % page for page in range(2, 8)]

    by_id = {account.id: account for account in listed}
    partner = by_id[seeded[0]["id"]]
    assert (partner.name, partner.type) == ("Tenant 000", "enterprise")
    assert (partner.managed_by.parent_org_id, partner.managed_by.parent_org_name) == ("%032x" % 0xbeef, "Partner Org")
    assert isinstance(partner.created_on, datetime) and partner.created_on.tzinfo is not None
    assert partner.settings.enforce_twofactor is False
    assert by_id[seeded[1]["id"]].type == "standard" and by_id[seeded[1]["id"]].managed_by is None

    emu.clear_log()
    assert len(list(client.accounts.list(per_page=50))) == 120
    assert [entry["query"] for entry in emu.log()] == ["per_page=50"] + ["per_page=50&page=%d" % page for page in range(2, 5)]


@pytest.mark.parametrize("query", [{"per_page": 4}, {"per_page": 51}, {"page": 0}])
def test_accounts_list_rejects_pages_cloudflare_rejects(client: Cloudflare, emu: Emulator, query: dict) -> None:
    emu.set_visible_accounts(seeded_accounts(3))
    with pytest.raises(cloudflare.BadRequestError) as excinfo:
        client.accounts.list(**query)
    assert [e.code for e in excinfo.value.errors] == [1005]


# ----- DLP profiles and entries: every operation the profile modules call ------------
CARDS = "56a8c060-01bb-4f89-ba1e-3ad42770a342"  # the emulator's predefined Credit Card Numbers
VISA, MASTERCARD = str(uuid.uuid5(uuid.UUID(CARDS), "Visa Card Number")), str(uuid.uuid5(uuid.UUID(CARDS), "Mastercard Card Number"))
BADGE = {"name": "Badge", "enabled": True, "pattern": {"regex": "EMP-[0-9]{6}"}, "description": "Employee badge numbers"}


def test_custom_profiles_through_the_sdk(client: Cloudflare, emu: Emulator) -> None:
    custom = client.zero_trust.dlp.profiles.custom
    created = custom.create(account_id=ACCOUNT, name="Employee IDs", description="Badges", allowed_match_count=2, confidence_threshold="medium",
                            entries=[BADGE, {"name": "Code names", "enabled": False, "words": ["bluebird"]}],
                            shared_entries=[{"entry_id": VISA, "enabled": True}])
    assert isinstance(created, CustomProfile)
    assert (created.name, created.description, created.allowed_match_count, created.confidence_threshold, created.ocr_enabled) == (
        "Employee IDs", "Badges", 2, "medium", False)
    assert isinstance(created.created_at, datetime) and created.created_at.tzinfo is not None
    badge, words = created.entries
    assert isinstance(badge, CustomProfileEntryCustomEntry) and isinstance(words, CustomProfileEntryWordListEntry)
    assert (badge.name, badge.pattern.regex, badge.description, badge.profile_id) == ("Badge", "EMP-[0-9]{6}", "Employee badge numbers", created.id)
    assert words.word_list == ["bluebird"] and words.enabled is False
    assert isinstance(created.shared_entries[0], CustomProfileSharedEntryPredefinedEntry) and created.shared_entries[0].id == VISA

    got = custom.get(created.id, account_id=ACCOUNT)
    assert isinstance(got, CustomProfile) and got.model_dump() == created.model_dump()
    generic = client.zero_trust.dlp.profiles.get(created.id, account_id=ACCOUNT)
    assert isinstance(generic, CustomProfile) and generic.id == created.id
    # the SDK has no method for the list of custom profiles
    listed = client.get(f"/accounts/{ACCOUNT}/dlp/profiles/custom", cast_to=ResultWrapper[List[CustomProfile]]).result
    assert [profile.id for profile in listed] == [created.id] and isinstance(listed[0], CustomProfile)

    updated = custom.update(created.id, account_id=ACCOUNT, name="Staff IDs", description=None, allowed_match_count=4, confidence_threshold="high",
                            ocr_enabled=True, ai_context_enabled=False, shared_entries=[{"entry_id": VISA, "enabled": False}])
    assert isinstance(updated, CustomProfile)
    assert (updated.id, updated.name, updated.description, updated.allowed_match_count, updated.confidence_threshold, updated.ocr_enabled) == (
        created.id, "Staff IDs", None, 4, "high", True)
    assert [entry.id for entry in updated.entries] == [badge.id, words.id] and updated.shared_entries[0].enabled is False
    assert updated.updated_at > created.updated_at

    assert custom.delete(created.id, account_id=ACCOUNT) is None
    with pytest.raises(cloudflare.NotFoundError) as excinfo:
        custom.get(created.id, account_id=ACCOUNT)
    assert [e.code for e in excinfo.value.errors] == [1553]
    assert [(entry["method"], entry["status"]) for entry in emu.log()] == [
        ("POST", 200), ("GET", 200), ("GET", 200), ("GET", 200), ("PUT", 200), ("DELETE", 200), ("GET", 404)]


def test_custom_entries_through_the_sdk(client: Cloudflare, emu: Emulator) -> None:
    profile = client.zero_trust.dlp.profiles.custom.create(account_id=ACCOUNT, name="Employee IDs")
    entries = client.zero_trust.dlp.entries
    created = entries.custom.create(account_id=ACCOUNT, profile_id=profile.id, **BADGE)
    assert isinstance(created, CustomCreateResponse)
    assert (created.name, created.enabled, created.pattern.regex, created.description, created.profile_id) == (
        "Badge", True, "EMP-[0-9]{6}", "Employee badge numbers", profile.id)

    got = entries.custom.get(created.id, account_id=ACCOUNT)
    assert isinstance(got, custom_get_response.UnionMember0)
    assert got.id == created.id and [(user.id, user.name) for user in got.profiles] == [(profile.id, "Employee IDs")]
    got = entries.get(created.id, account_id=ACCOUNT)
    assert isinstance(got, entry_get_response.UnionMember0) and got.type == "custom"

    updated = entries.custom.update(created.id, account_id=ACCOUNT, name="Badge v2", enabled=False, pattern={"regex": "EMP-[0-9]{7}", "validation": "luhn"},
                                    description="Longer badges")
    assert isinstance(updated, CustomUpdateResponse)
    assert (updated.id, updated.name, updated.enabled, updated.pattern.regex, updated.pattern.validation, updated.description) == (
        created.id, "Badge v2", False, "EMP-[0-9]{7}", "luhn", "Longer badges")
    typed = entries.update(created.id, account_id=ACCOUNT, type="custom", name="Badge v3", pattern={"regex": "EMP-[0-9]{8}"}, enabled=True)
    assert isinstance(typed, entry_update_response.CustomEntry) and (typed.name, typed.enabled, typed.description) == ("Badge v3", True, None)

    with pytest.raises(cloudflare.BadRequestError) as excinfo:
        entries.custom.create(account_id=ACCOUNT, profile_id=profile.id, name="Greedy", enabled=True, pattern={"regex": "EMP-[0-9]+"})
    assert [e.code for e in excinfo.value.errors] == [1006]

    assert entries.custom.delete(created.id, account_id=ACCOUNT) is None
    with pytest.raises(cloudflare.NotFoundError) as excinfo:
        entries.custom.get(created.id, account_id=ACCOUNT)
    assert [e.code for e in excinfo.value.errors] == [1554]
    assert not client.zero_trust.dlp.profiles.custom.get(profile.id, account_id=ACCOUNT).entries
    assert [entry["path"].rsplit("/dlp/", 1)[1] for entry in emu.log()][1:4] == ["entries", f"entries/{created.id}", f"entries/{created.id}"]


def test_predefined_profiles_through_the_sdk(client: Cloudflare) -> None:
    predefined = client.zero_trust.dlp.profiles.predefined
    config = predefined.get(CARDS, account_id=ACCOUNT)  # reads .../config
    assert isinstance(config, PredefinedProfileConfig)
    assert (config.name, config.enabled_entries, config.allowed_match_count) == ("Credit Card Numbers", [VISA, MASTERCARD], 0)
    assert config.confidence_threshold == "low"
    assert all(isinstance(entry, ConfigPredefinedEntry) for entry in config.entries)

    config = predefined.update(CARDS, account_id=ACCOUNT, enabled_entries=[MASTERCARD], allowed_match_count=5, confidence_threshold="high",
                               ocr_enabled=True, ai_context_enabled=False)
    assert isinstance(config, PredefinedProfileConfig)
    assert (config.enabled_entries, config.allowed_match_count, config.confidence_threshold, config.ocr_enabled) == ([MASTERCARD], 5, "high", True)
    assert [(entry.id, entry.enabled) for entry in config.entries] == [(VISA, False), (MASTERCARD, True)]

    # the SDK has no method for GET /dlp/profiles/predefined/{id}, which has every entry with its state
    profile = client.get(f"/accounts/{ACCOUNT}/dlp/profiles/predefined/{CARDS}", cast_to=ResultWrapper[PredefinedProfile]).result
    assert isinstance(profile, PredefinedProfile) and (profile.id, profile.type, profile.allowed_match_count) == (CARDS, "predefined", 5)
    assert all(isinstance(entry, PredefinedProfileEntryPredefinedEntry) for entry in profile.entries)
    assert [(entry.name, entry.enabled) for entry in profile.entries] == [("Visa Card Number", False), ("Mastercard Card Number", True)]
    assert isinstance(client.zero_trust.dlp.profiles.get(CARDS, account_id=ACCOUNT), PredefinedProfile)

    entry = client.zero_trust.dlp.entries.update(VISA, account_id=ACCOUNT, type="predefined", enabled=True)
    assert isinstance(entry, entry_update_response.PredefinedEntry) and (entry.id, entry.enabled, entry.profile_id) == (VISA, True, CARDS)
    assert predefined.get(CARDS, account_id=ACCOUNT).enabled_entries == [VISA, MASTERCARD]
    with pytest.raises(cloudflare.NotFoundError) as excinfo:
        predefined.get(str(uuid.uuid4()), account_id=ACCOUNT)
    assert [e.code for e in excinfo.value.errors] == [1553]


@pytest.mark.parametrize(("regex", "max_match_bytes", "valid"), [("EMP-[0-9]{6}", None, True), ("EMP-[0-9]+", None, False), ("EMP-[0-9]+", "null", True)])
def test_pattern_validation_through_the_sdk(client: Cloudflare, regex: str, max_match_bytes: str | None, valid: bool) -> None:
    extra = {"max_match_bytes": None} if max_match_bytes == "null" else {}
    answer = client.zero_trust.dlp.patterns.validate(account_id=ACCOUNT, regex=regex, **extra)
    assert isinstance(answer, PatternValidateResponse) and answer.valid is valid
