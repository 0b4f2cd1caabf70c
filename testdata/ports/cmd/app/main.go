package main

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/ports/archives"
	"kvlint.test/ports/embedded"
	"kvlint.test/ports/feeds"
	"kvlint.test/ports/halves"
	"kvlint.test/ports/invites"
	"kvlint.test/ports/jobs"
	"kvlint.test/ports/kvstore"
	"kvlint.test/ports/limiter"
	"kvlint.test/ports/listing"
	"kvlint.test/ports/logins"
	"kvlint.test/ports/ops"
	"kvlint.test/ports/portkv"
	"kvlint.test/ports/quotas"
	"kvlint.test/ports/sessions"
	"kvlint.test/ports/statuses"
	"kvlint.test/ports/store"
	"kvlint.test/ports/sweeps"
	"kvlint.test/ports/tally"
	"kvlint.test/ports/upstream"
	"kvlint.test/ports/visits"
	"kvlint.test/ports/windows"
)

type app struct {
	limiter *windows.Limiter
}

func main() {
	kv := &kvstore.KV{Client: cloudflare.NewClient(), Account: "acct", NSID: "ns"}
	l := &limiter.Limiter{S: kv}
	_, _ = l.Allow(context.Background(), "203.0.113.7")
	s := &sessions.Sessions{C: kv}
	_ = s.Nonce(context.Background(), "n")
	_ = sessions.NewKeeper(kv, 30*time.Second).Keep(context.Background(), "k", nil)
	v := &visits.Counter{D: visits.Deps{Load: kv.Get, Save: kv.Set}}
	_ = v.Visit(context.Background(), "/")
	likes := &tally.Likes{Ops: tally.Ops{
		Get: func(ctx context.Context, key string) (string, error) {
			b, err := kv.Get(ctx, key)
			return string(b), err
		},
		Put: func(ctx context.Context, key, value string) error { return kv.Set(ctx, key, []byte(value), time.Hour) },
	}}
	_ = likes.Like(context.Background(), "p1")
	nightly := jobs.Nightly()
	_ = kv.Set(context.Background(), "run:"+nightly.Name, []byte("ok"), nightly.Limit.TTL)
	_ = statuses.Of(nil)
	_ = feeds.New(store.Reads(kv), store.Writes(kv, time.Hour)).Append(context.Background(), "u", "x")
	_ = feeds.NewInbox(kv).Deliver(context.Background(), "u", "hi")
	_ = invites.Create{Invites: invites.KVInvites{Store: kv}, Clock: time.Now}.Execute(context.Background(), invites.Invite{Code: "c"})
	_ = halves.Stars{Read: kv, Write: kv}.Add(context.Background(), "r")
	_ = embedded.New(kv).View(context.Background(), "/", "search")
	a := &app{}
	a.limiter = windows.New(kv, windows.Config{Window: time.Minute})
	_ = a.limiter.Mark(context.Background(), "k")
	_ = (&archives.Reports{Store: kv}).Keep(context.Background(), "r", nil)
	_ = (&quotas.Quotas{Exec: ops.Chain(kv.Exec, ops.Logging)}).Use(context.Background(), "u")
	lg := &logins.Service{Sessions: portkv.Sessions(kv, "app")}
	_ = lg.Touch(context.Background(), "s")
	_ = lg.Logout(context.Background(), "s")
	_ = (&quotas.Streaks{Run: ops.ChainRunner(kv.Runner(context.Background()), ops.Logged)}).Extend(context.Background(), "u")
	sw := sweeps.Sweeper{Pages: &sweeps.KV{Client: cloudflare.NewClient(), Account: "acct", NSID: "ns"}, MaxPages: 10}
	_ = sw.Sweep(context.Background(), "l1")
	_ = sw.SweepKept(context.Background(), "l1")
	up := &upstream.Service{Store: kv, Provider: upstream.HTTPProvider{}}
	_, _ = up.RefreshListed(context.Background(), &sweeps.KV{})
	keys := &listing.KV{Client: cloudflare.NewClient(), Account: "acct", NSID: "ns"}
	_, _ = listing.Count(context.Background(), keys, "poll:")
	_, _ = listing.Export(context.Background(), kv, keys, "vote:", 500)
	_, _ = listing.Sample(context.Background(), keys, "vote:", 10)
}
