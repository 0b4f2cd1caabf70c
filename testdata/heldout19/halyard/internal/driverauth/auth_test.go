package driverauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/kvstore/memkv"
)

func seed(t *testing.T, kv *memkv.Store) {
	t.Helper()
	ctx := context.Background()
	_ = kv.Put(ctx, "drv-phone:+15550100", []byte("D42"), kvstore.PutOptions{})
	_ = kv.Put(ctx, "drv-pin:D42", []byte(hashPIN("D42", "1234")), kvstore.PutOptions{})
}

func TestLoginRefresh(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	seed(t, kv)
	a := New(kv, time.Hour, 24*time.Hour)

	tok, err := a.Login(ctx, "+15550100", "1234", "tablet-1")
	if err != nil {
		t.Fatal(err)
	}
	driver, id, _ := strings.Cut(tok.Session, ".")
	if err := a.Touch(ctx, keys.Driver(driver), id); err != nil {
		t.Fatal(err)
	}
	next, err := a.Refresh(ctx, tok.Refresh, "tablet-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ctx, tok.Refresh, "tablet-1"); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("reuse of rotated refresh token: %v", err)
	}
	if next.Refresh == tok.Refresh {
		t.Fatal("refresh token not rotated")
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	seed(t, kv)
	a := New(kv, time.Hour, 24*time.Hour)
	for i := 0; i < maxFailures; i++ {
		if _, err := a.Login(ctx, "+15550100", "0000", "t"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := a.Login(ctx, "+15550100", "1234", "t"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("want lockout, got %v", err)
	}
}

func TestPKCEBeginAndRedeemMismatch(t *testing.T) {
	ctx := context.Background()
	a := New(memkv.New(), time.Hour, 24*time.Hour)
	sum := sha256.Sum256([]byte("verifier-abc"))
	state, err := a.BeginPKCE(ctx, base64.RawURLEncoding.EncodeToString(sum[:]), "S256", "tablet-1")
	if err != nil || state == "" {
		t.Fatalf("begin: %q %v", state, err)
	}
	if _, err := a.BeginPKCE(ctx, "x", "plain", "t"); err == nil {
		t.Fatal("plain method accepted")
	}
}
