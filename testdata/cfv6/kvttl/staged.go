package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/cfv6/uow"
)

// A lifetime staged in a unit of work that sends its pairs in chunks on
// Commit: reported where it is staged.
func holdSeats(ctx context.Context, client *cloudflare.Client, seats []string) error {
	tx := uow.Begin(client, "ns")
	for _, s := range seats {
		tx.PutFor("hold:"+s, "1", 30*time.Second) // want `ExpirationTTL 30 \(passed to uow.PutFor\)`
		tx.PutFor("seat:"+s, "1", 10*time.Minute)
	}
	return tx.Commit(ctx)
}
