from tests import factories


def test_login_and_open_case_page(client, users):
    response = factories.login(client, "intake_clerk")
    assert response.status_code == 302
    page = client.get("/cases")
    assert page.status_code == 200
