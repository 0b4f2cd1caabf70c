package partner

import (
	"context"
	"errors"
	"testing"
)

type fakeRing map[string]KeyRecord

func (f fakeRing) Create(_ context.Context, hash string, rec KeyRecord) error {
	f[hash] = rec
	return nil
}

func (f fakeRing) Lookup(_ context.Context, hash string) (KeyRecord, bool, error) {
	rec, ok := f[hash]
	return rec, ok, nil
}

func (f fakeRing) Rotate(_ context.Context, oldHash, newHash string) error {
	f[newHash] = f[oldHash]
	delete(f, oldHash)
	return nil
}

type fakeQuota map[string]int

func (f fakeQuota) Hit(_ context.Context, id string) (int, error) {
	f[id]++
	return f[id], nil
}

type nopAudit struct{}

func (nopAudit) Append(context.Context, string, string, string, string) error { return nil }

func TestAuthenticateQuota(t *testing.T) {
	ring := fakeRing{}
	keys := NewKeys(ring, fakeQuota{}, nopAudit{}, 2)
	secret := keys.newSecret()
	_ = ring.Create(context.Background(), hashKey(secret), KeyRecord{PartnerID: "p1"})

	for i := range 3 {
		_, err := keys.Authenticate(context.Background(), secret)
		if i < 2 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 2 && !errors.Is(err, ErrQuota) {
			t.Fatalf("call %d: want ErrQuota, got %v", i, err)
		}
	}
	if _, err := keys.Authenticate(context.Background(), "clw_unknown"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("unknown key: %v", err)
	}
}
