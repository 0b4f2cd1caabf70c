package invites

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/juniper/internal/kvstore"
)

type memberList []Membership

func (m *memberList) Add(_ context.Context, mb Membership) error {
	*m = append(*m, mb)
	return nil
}

func TestCreateListAccept(t *testing.T) {
	mem := kvstore.NewMemory()
	var members memberList
	s := New(mem, &members)
	ctx := context.Background()
	inv, err := s.Create(ctx, "v1", "Chef@Example.com", "kitchen", "mgr", time.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pending, more, err := s.Pending(ctx, "v1")
	if err != nil || more || len(pending) != 1 || pending[0].Email != "chef@example.com" {
		t.Fatalf("pending = %+v %v %v", pending, more, err)
	}
	if _, err := s.Accept(ctx, inv.Token, "u9"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, inv.Token, "u9"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("double accept: %v", err)
	}
	if len(members) != 1 {
		t.Fatalf("members = %v", members)
	}
}

func TestCreateRejectsPast(t *testing.T) {
	s := New(kvstore.NewMemory(), new(memberList))
	if _, err := s.Create(context.Background(), "v1", "a@b.c", "host", "m", time.Now().Add(-time.Hour)); !errors.Is(err, ErrPast) {
		t.Fatalf("got %v", err)
	}
}
