"""The patient's name on 一日清单 and referral forms however it is printed (issue 17): the variant
matrix of tests/fixtures/patient_matrix.py read from born-digital PDFs — every printed patient
read exactly, and no name where a name label or a person's name is someone else's (a doctor, an
approver, a signer) or no name at all (a label with no value, a hospital's name under it)."""

import pytest

from tests.fixtures.patient_matrix import negatives, positives, read_patient

_POSITIVES = positives()
_NEGATIVES = negatives()


@pytest.mark.parametrize(("kind", "block", "footer", "truth"), [case[1:] for case in _POSITIVES],
                         ids=[case[0] for case in _POSITIVES])
def test_a_printed_patient_is_read_exactly(kind, block, footer, truth):
    assert read_patient(kind, block, footer) == truth


@pytest.mark.parametrize(("kind", "block", "footer"), [case[1:4] for case in _NEGATIVES],
                         ids=[case[0] for case in _NEGATIVES])
def test_someone_elses_name_or_none_is_no_patient(kind, block, footer):
    assert read_patient(kind, block, footer) is None
