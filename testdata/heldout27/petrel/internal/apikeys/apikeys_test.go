package apikeys

import (
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

type memStore map[string][]byte

func (m memStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: k}
}
func (m memStore) Put(_ context.Context, k string, v []byte, _ storage.PutOptions) error {
	m[k] = v
	return nil
}
func (m memStore) Delete(_ context.Context, k string) error { delete(m, k); return nil }
func (m memStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	var p storage.Page
	for k := range m {
		if strings.HasPrefix(k, q.Prefix) {
			p.Keys = append(p.Keys, storage.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}

// legacyStub answers every read the way the old client did for a miss.
type legacyStub struct{ err error }

func (l legacyStub) Raw(context.Context, string) ([]byte, error) { return nil, l.err }

func TestCreateAuthenticateRevoke(t *testing.T) {
	ctx := context.Background()
	s := New(memStore{})
	secret, k, err := s.Create(ctx, "acme", []string{"read"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil || p.KeyID != k.ID || !p.Can("read") {
		t.Fatalf("authenticate: %+v %v", p, err)
	}
	if err := s.Revoke(ctx, "acme", k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, ident.Secret("pk_live_unknown")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("want ErrUnknownKey, got %v", err)
	}
}

func TestTeamPolicyDefaults(t *testing.T) {
	s := New(memStore{}, WithLegacy(legacyStub{err: errors.New("404")}))
	p, err := s.TeamPolicy(context.Background(), "acme")
	if err != nil || p.MaxKeys != defaultPolicy.MaxKeys {
		t.Fatalf("policy: %+v %v", p, err)
	}
}
