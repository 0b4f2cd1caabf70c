package apikeys

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/tundra/internal/storage/memkv"
)

func TestIssueLookupRotate(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: memkv.New(), RevocationTTL: time.Hour}

	out, err := svc.Handle(ctx, Issue{PartnerID: "p1", Plan: "growth"})
	if err != nil {
		t.Fatal(err)
	}
	issued := out.(Issued)

	got, err := svc.Handle(ctx, Lookup{Secret: issued.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if got.(Record).PartnerID != "p1" {
		t.Fatalf("partner = %q", got.(Record).PartnerID)
	}

	out, err = svc.Handle(ctx, Rotate{Secret: issued.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Handle(ctx, Lookup{Secret: issued.Secret}); !errors.Is(err, ErrRevoked) {
		t.Fatalf("old key: err = %v, want ErrRevoked", err)
	}
	if _, err := svc.Handle(ctx, Lookup{Secret: out.(Issued).Secret}); err != nil {
		t.Fatalf("new key: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: memkv.New()}
	out, _ := svc.Handle(ctx, Issue{PartnerID: "p2", Plan: "free"})
	secret := out.(Issued).Secret
	if _, err := svc.Handle(ctx, Revoke{Secret: secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Handle(ctx, Lookup{Secret: secret}); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v", err)
	}
}
