package kvlist

import (
	"context"
	"log"
	"time"

	"kvlint.test/cfv0119/kvlist/certs"
)

// Quiet: a lock taken per listed host, read and written under a key of
// its own in the namespace listed, is a write per key (a race of its
// own), no N+1 read.
func renewDue(ctx context.Context, ns certs.Namespace, ca certs.Obtainer, cursor string, horizon int) (string, error) {
	r := &certs.Renewer{Locks: ns, Certs: ns, CA: ca, Node: "node-1"}
	hosts, next, err := r.Due(ctx, cursor, horizon)
	if err != nil {
		return cursor, err
	}
	for _, h := range hosts {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		if err := r.Renew(rctx, h); err != nil {
			log.Printf("renew %s: %v", h, err)
		}
		cancel()
	}
	return next, nil
}
