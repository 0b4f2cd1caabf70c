package pairing

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/store/memstore"
)

func TestClaim(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	body, _ := json.Marshal(Pending{DeviceID: "d1", Serial: "SN1", PublicKey: "pk", Model: "k1"})
	if err := st.Put(ctx, codeKey("123456"), string(body), 0); err != nil {
		t.Fatal(err)
	}
	c := NewClaimer(st, events.New(nil))
	dev, err := c.Claim(ctx, ClaimRequest{Code: "123456", UserID: "u1", Name: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := st.Get(ctx, "device/"+dev.ID); err != nil || !strings.Contains(raw, `"owner":"u1"`) {
		t.Fatalf("device record: %q %v", raw, err)
	}
	if _, err := c.Claim(ctx, ClaimRequest{Code: "123456", UserID: "u2"}); !errors.Is(err, ErrBadCode) {
		t.Fatalf("reclaim: %v", err)
	}
}
