"""A first end-to-end pass over the debt API: create, isolate, update with ETag, pay, read history."""

from tests.conftest import debt_payload


def test_create_read_update_pay(client, world):
    r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    debt_id = r.json["id"]
    assert r.json["due_date"] == "2023-01-31"
    assert client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("clerk_b1")).status_code == 404
    r = client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("office_a"))
    etag = r.headers["ETag"]
    r = client.patch(
        f"/api/v1/debts/{debt_id}",
        json={"status": "confirmed"},
        headers=world.headers("office_a", **{"If-Match": etag}),
    )
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    r = client.patch(
        f"/api/v1/debts/{debt_id}",
        json={"remarks": "x"},
        headers=world.headers("office_a", **{"If-Match": etag}),
    )
    assert r.status_code == 412
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": "2023-03-02", "amount": "40000"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201
    debt = client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("office_a")).json
    assert debt["outstanding"] == "60000.00"
    assert debt["status"] == "partly_repaid"
