package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"example.com/identity/internal/store/memstore"
)

func TestCodeRedeemOnce(t *testing.T) {
	ctx := context.Background()
	c := NewCodes(memstore.New())
	verifier := randomToken(48)
	sum := sha256.Sum256([]byte(verifier))
	code, err := c.Issue(ctx, AuthCode{ClientID: "app", UserID: "u1", RedirectURI: "https://app/cb",
		Challenge: base64.RawURLEncoding.EncodeToString(sum[:]), ChallengeAlg: "S256"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Redeem(ctx, code, "app", "https://app/cb", "wrong-verifier-wrong-verifier-wrong-verifier"); !errors.Is(err, ErrPKCE) {
		t.Fatalf("want ErrPKCE, got %v", err)
	}
	ac, err := c.Redeem(ctx, code, "app", "https://app/cb", verifier)
	if err != nil || ac.UserID != "u1" {
		t.Fatalf("redeem: %+v %v", ac, err)
	}
	if _, err := c.Redeem(ctx, code, "app", "https://app/cb", verifier); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("second redeem: %v", err)
	}
}
