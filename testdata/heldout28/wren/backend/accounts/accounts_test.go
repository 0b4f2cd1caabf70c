package accounts

import (
	"context"
	"errors"
	"testing"

	"example.com/wren/backend/ports"
	"example.com/wren/internal/keys"
)

// fakeCodes is a codeIssuer and codeRedeemer backed by a map.
type fakeCodes struct {
	m       map[string][]byte
	deleted []string
}

func (f *fakeCodes) Put(_ context.Context, k string, v []byte, _ ...ports.PutOption) error {
	f.m[k] = v
	return nil
}

func (f *fakeCodes) Get(_ context.Context, k string) ([]byte, error) {
	v, ok := f.m[k]
	if !ok {
		return nil, ports.ErrNotFound
	}
	return v, nil
}

func (f *fakeCodes) Delete(_ context.Context, k string) error {
	delete(f.m, k)
	f.deleted = append(f.deleted, k)
	return nil
}

func TestRedeemCodeOnce(t *testing.T) {
	codes := &fakeCodes{m: map[string][]byte{}}
	s := &Service{codes: codes}
	_ = codes.Put(context.Background(), keys.LoginCode("ada@example.com", "123456"), []byte("drv1"))
	id, err := s.RedeemCode(context.Background(), "Ada@example.com", "123456")
	if err != nil || id != "drv1" {
		t.Fatalf("got %q, %v", id, err)
	}
	if _, err := s.RedeemCode(context.Background(), "ada@example.com", "123456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestRandomCode(t *testing.T) {
	old := newCode
	t.Cleanup(func() { newCode = old })
	newCode = func() string { return "000042" }
	if newCode() != "000042" {
		t.Fatal("swap failed")
	}
	if len(randomCode()) != 6 {
		t.Fatal("code length")
	}
}
