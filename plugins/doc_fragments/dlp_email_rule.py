# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The options of one DLP email rule, as _rules.rule_options() defines them: those of
    # cloudflare_dlp_email_rule (here) and of each entry of cloudflare_dlp_email_rules (RULES below).
    # tests/unit/plugins/doc_fragments/test_dlp_email_rule.py checks both, and the role's argument spec, against it.
    # The two say the same of what a rule holds, each with its own option names: sanity's yamllint reads a fragment
    # only as a string literal, so neither can be built from the other.

    DOCUMENTATION = r'''
options:
  state:
    description:
      - V(present) creates the rule or updates it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  rule_id:
    description:
      - The ID (a UUID) of an existing rule. The rule is then found by its ID, and O(name) renames it.
      - Without it the rule is found by O(name). A new rule gets its ID from Cloudflare, so a rule cannot be created
        with a chosen O(rule_id).
      - A value that is not a UUID is rejected before any request is sent.
    type: str
  name:
    description:
      - The name of the rule.
      - Required unless O(rule_id) is given. When the rule is found by name and several rules have this name, the
        module fails and lists their IDs; set O(rule_id) to choose one.
    type: str
  description:
    description:
      - A description of the rule. V('') clears it.
      - An empty description, V(null) and no description count as the same when comparing.
    type: str
  enabled:
    description:
      - Whether the rule is applied.
      - When not set, an existing rule keeps its current value and a new rule is enabled.
    type: bool
  conditions:
    description:
      - What an email must match for the rule to apply. All conditions must match.
      - Required to create a rule. When not set, an existing rule keeps its current conditions.
      - The order of conditions does not matter when comparing with the current rule.
    type: list
    elements: dict
    suboptions:
      selector:
        description:
          - What the condition looks at, the V(Recipients), the V(Sender), or the V(DLPProfiles) (the DLP profiles
            that match the email).
        type: str
        required: true
        choices: [Recipients, Sender, DLPProfiles]
      operator:
        description:
          - How the selected values are matched against O(conditions[].value).
          - With V(InList) and V(NotInList) the value is a list whose order and duplicates do not matter, and a single
            string is the same as a list of one.
        type: str
        required: true
        choices: [InList, NotInList, MatchRegex, NotMatchRegex]
      value:
        description:
          - A string or a list of strings (email addresses, DLP profiles or regular expressions). Anything else is
            rejected before any request.
          - With O(conditions[].selector=DLPProfiles) and the operator V(InList) or V(NotInList), each value is a DLP
            profile, given by its ID (a UUID, in any case) or by its name (matched exactly, case included).
            M(zerotrust.cloudflare.cloudflare_dlp_profile_info) lists the profiles.
          - When a task gives a profile by name, the module reads the account's profile list once, before anything
            else, and sends the profile's ID in its place; so comparing is done on IDs and a rule written by name
            changes nothing on the next run. A name that matches no profile or several, or an ID that is no profile of
            the account, then fails before any change, and the message lists the profiles as C(name (type, id)).
          - A profile whose name looks like a UUID can only be given by its ID.
          - Everything else (IDs, addresses, regular expressions) is sent exactly as given.
        type: raw
        required: true
  action:
    description:
      - What to do with an email that matches. The API knows only V(Block).
      - When not set, an existing rule keeps its action and a new rule blocks.
    type: str
    choices: [Block]
  action_message:
    description:
      - The message shown to the sender of a blocked email (the API's C(action.message)).
      - Not called C(message), a name Ansible reserves.
      - When not set, an existing rule keeps its current message. V('') clears it; an empty message, V(null) and no
        message count as the same when comparing.
    type: str
  priority:
    description:
      - The rule's priority, a whole number of V(0) or more, set with a separate request only when it differs.
      - Cloudflare documents only that higher priority rules are evaluated first, not whether that means a larger
        number. The module sends the number as given.
      - When not set, an existing rule keeps its priority and Cloudflare chooses one for a new rule.
    type: int
'''

    # The whole rules option of cloudflare_dlp_email_rules.
    RULES = r'''
options:
  rules:
    description:
      - The rules. An entry matches an existing rule by its O(rules[].rule_id), else by its O(rules[].name).
      - Names must be unique among the entries, except among entries that each have a O(rules[].rule_id) (an account
        may have several rules of one name, as the RV(zerotrust.cloudflare.cloudflare_dlp_email_rule_info#module:rules_input)
        of M(zerotrust.cloudflare.cloudflare_dlp_email_rule_info) lists them).
      - With O(exclusive=false), rules of the account that are not listed are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      state:
        description:
          - V(present) creates the rule or updates it; V(absent) deletes it if it exists.
        type: str
        choices: [present, absent]
        default: present
      rule_id:
        description:
          - The ID (a UUID) of an existing rule. The entry then matches that rule, and O(rules[].name) renames it.
          - Without it the entry matches the rule with its O(rules[].name); the module fails before any change if
            several rules have that name. A new rule gets its ID from Cloudflare, so an entry with a O(rules[].rule_id)
            that matches no rule fails.
          - A value that is not a UUID is rejected before any request is sent.
        type: str
      name:
        description:
          - The name of the rule. Required unless O(rules[].rule_id) is given.
        type: str
      description:
        description:
          - A description of the rule. V('') clears it.
          - An empty description, V(null) and no description count as the same when comparing.
        type: str
      enabled:
        description:
          - Whether the rule is applied.
          - When not set, an existing rule keeps its current value and a new rule is enabled.
        type: bool
      conditions:
        description:
          - What an email must match for the rule to apply. All conditions must match.
          - Required to create a rule. When not set, an existing rule keeps its current conditions.
          - The order of conditions does not matter when comparing with the current rule.
        type: list
        elements: dict
        suboptions:
          selector:
            description:
              - What the condition looks at, the V(Recipients), the V(Sender), or the V(DLPProfiles) (the DLP profiles
                that match the email).
            type: str
            required: true
            choices: [Recipients, Sender, DLPProfiles]
          operator:
            description:
              - How the selected values are matched against O(rules[].conditions[].value).
              - With V(InList) and V(NotInList) the value is a list whose order and duplicates do not matter, and a
                single string is the same as a list of one.
            type: str
            required: true
            choices: [InList, NotInList, MatchRegex, NotMatchRegex]
          value:
            description:
              - A string or a list of strings (email addresses, DLP profiles or regular expressions). Anything else is
                rejected before any request.
              - With O(rules[].conditions[].selector=DLPProfiles) and the operator V(InList) or V(NotInList), each value
                is a DLP profile, given by its ID (a UUID, in any case) or by its name (matched exactly, case included).
                M(zerotrust.cloudflare.cloudflare_dlp_profile_info) lists the profiles.
              - When any entry gives a profile by name, the module reads the account's profile list once, before the
                rule list, and sends the profile's ID in its place; so comparing is done on IDs and a rule written by
                name changes nothing on the next run. A name that matches no profile or several, or an ID that is no
                profile of the account, then fails before any change, and the message lists the profiles as
                C(name (type, id)).
              - A profile whose name looks like a UUID can only be given by its ID.
              - Everything else (IDs, addresses, regular expressions) is sent exactly as given.
            type: raw
            required: true
      action:
        description:
          - What to do with an email that matches. The API knows only V(Block).
          - When not set, an existing rule keeps its action and a new rule blocks.
        type: str
        choices: [Block]
      action_message:
        description:
          - The message shown to the sender of a blocked email (the API's C(action.message)).
          - Not called C(message), a name Ansible reserves.
          - When not set, an existing rule keeps its current message. V('') clears it; an empty message, V(null) and no
            message count as the same when comparing.
        type: str
      priority:
        description:
          - The rule's priority, a whole number of V(0) or more.
          - Cloudflare documents only that higher priority rules are evaluated first, not whether that means a larger
            number. The module sends the numbers as given and never derives them from the order of O(rules).
          - All priority changes, those of new rules included, are sent together in one request after the other
            changes.
          - When not set, an existing rule keeps its priority and Cloudflare chooses one for a new rule.
        type: int
'''
