package cfkv

import (
	"context"
	"fmt"
	"strconv"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Ledger keeps loyalty point balances, one key per member.
type Ledger struct{ c *Client }

// NewLedger returns a ledger backed by c's namespace.
func NewLedger(c *Client) *Ledger { return &Ledger{c: c} }

func balanceKey(memberID string) string { return "points:" + memberID }

// Balance returns a member's points; members without a key have none.
func (l *Ledger) Balance(ctx context.Context, memberID string) (int64, error) {
	b, err := l.c.api.GetWorkersKV(ctx, l.c.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.c.ns, Key: balanceKey(memberID)})
	if notFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// Add credits (or, with a negative amount, debits) a member's balance and
// returns the new balance.
func (l *Ledger) Add(ctx context.Context, memberID string, points int64) (int64, error) {
	bal, err := l.Balance(ctx, memberID)
	if err != nil {
		return 0, err
	}
	bal += points
	if bal < 0 {
		return 0, fmt.Errorf("member %s: insufficient points", memberID)
	}
	_, err = l.c.api.WriteWorkersKVEntry(ctx, l.c.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: l.c.ns,
		Key:         balanceKey(memberID),
		Value:       []byte(strconv.FormatInt(bal, 10)),
	})
	return bal, err
}
