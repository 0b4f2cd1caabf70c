package admin

import (
	"context"
	"crypto/rand"
	"fmt"

	"example.com/linnet/internal/backend/restkv"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// JoinCode is one row of a district's code import file.
type JoinCode struct{ Code, Class string }

// ImportJoinCodes loads codes handed out by a school district's SIS.
func ImportJoinCodes(ctx context.Context, store *restkv.Store, codes []JoinCode, lifetimeDays int) ([]string, error) {
	entries := make([]restkv.Entry, 0, len(codes))
	for _, c := range codes {
		entries = append(entries, restkv.Entry{Key: "join:" + c.Code, Value: c.Class, TTL: dayDuration(lifetimeDays)})
	}
	return store.PutMany(ctx, entries)
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// poolSize is how many spare codes a district pool starts with.
const poolSize = 12_000

// PregenerateCodes fills a district's pool of unassigned join codes, all
// pointing at the district's holding class until a teacher claims one.
func (n Namespace) PregenerateCodes(ctx context.Context, district string) (int, error) {
	holding := "pool:" + district
	ttl := ttlSeconds(n.cfg.Classroom.CodeLifetime)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, poolSize)
	for i := 0; i < poolSize; i++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("join:" + newCode()),
			Value:         cloudflare.F(holding),
			ExpirationTTL: cloudflare.F(ttl),
		})
	}
	res, err := n.svc.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.account), Body: body}) // EXPECT kvlimits
	if err != nil {
		return 0, fmt.Errorf("admin: pregenerate %s: %w", district, err)
	}
	return int(res.SuccessfulKeyCount), nil
}
