package webhooks

import (
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	sig := Sign(secret, now.Unix(), body)
	if err := Verify(secret, sig, "1700000000", body, now); err != nil {
		t.Fatal(err)
	}
	if err := Verify(secret, sig, "1700000000", body, now.Add(10*time.Minute)); err == nil {
		t.Fatal("stale timestamp accepted")
	}
	if err := Verify([]byte("other"), sig, "1700000000", body, now); err == nil {
		t.Fatal("wrong secret accepted")
	}
}
