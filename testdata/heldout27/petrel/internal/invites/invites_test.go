package invites

import (
	"context"
	"errors"
	"testing"

	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/storage"
)

type fakeStore struct{ m map[string][]byte }

func (f *fakeStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := f.m[k]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: k}
}
func (f *fakeStore) Put(_ context.Context, k string, v []byte, _ storage.PutOptions) error {
	f.m[k] = append([]byte(nil), v...)
	return nil
}
func (f *fakeStore) Delete(_ context.Context, k string) error { delete(f.m, k); return nil }
func (f *fakeStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestInviteAccept(t *testing.T) {
	ctx := context.Background()
	s := ProvideService(&fakeStore{m: map[string][]byte{}}, conf.Config{}, []string{"example.com"}, nil)
	if _, _, err := s.Invite(ctx, "acme", "bob@other.org", "", "admin"); !errors.Is(err, ErrDomainNotAllowed) {
		t.Fatalf("want ErrDomainNotAllowed, got %v", err)
	}
	_, tok, err := s.Invite(ctx, "acme", "ann@example.com", "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Invite(ctx, "acme", "ann@example.com", "", "admin"); !errors.Is(err, ErrAlreadyInvited) {
		t.Fatalf("want ErrAlreadyInvited, got %v", err)
	}
	m, err := s.Accept(ctx, "acme", "ann@example.com", tok)
	if err != nil || m.Role != "member" {
		t.Fatalf("accept: %+v %v", m, err)
	}
	if _, err := s.Accept(ctx, "acme", "ann@example.com", tok); !errors.Is(err, ErrInvalidInvite) {
		t.Fatalf("second accept: %v", err)
	}
}
