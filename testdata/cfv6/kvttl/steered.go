package kvttl

import (
	"context"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A grade picks its lifetime by a switch; the caller that passes one
// picks the lifetime, and is where a short one is reported.
type grade int

const (
	gradeStandard grade = iota
	gradeBench
)

func (g grade) lifetime() time.Duration {
	switch g {
	case gradeBench:
		return 45 * time.Second
	default:
		return time.Hour
	}
}

func issueGraded(ctx context.Context, client *cloudflare.Client, code string, g grade) error {
	ttl := g.lifetime()
	_, err := client.KV.Namespaces.Values.Update(ctx, "ns", "code:"+code, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(code)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

func issueForBench(ctx context.Context, client *cloudflare.Client, code string) error {
	return issueGraded(ctx, client, code, gradeBench) // want `ExpirationTTL 45 \(passed to issueGraded\) is below`
}

func issueStandard(ctx context.Context, client *cloudflare.Client, code string) error {
	return issueGraded(ctx, client, code, gradeStandard)
}

// A grade from the request: any of them, reported where the bench one is
// picked, not here nor inside.
func issueRequested(ctx context.Context, client *cloudflare.Client, code string, g grade) error {
	return issueGraded(ctx, client, code, g)
}

func putGraded(ctx context.Context, client *cloudflare.Client, code string, ttl time.Duration) error {
	_, err := client.KV.Namespaces.Values.Update(ctx, "ns", "code:"+code, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(code)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// The grade's lifetime asked for at the call, of a constant grade: the
// call picks it.
func issueBenchLifetime(ctx context.Context, client *cloudflare.Client, code string) error {
	return putGraded(ctx, client, code, gradeBench.lifetime()) // want `ExpirationTTL 45 \(passed to putGraded\) is below`
}

var errNoBenchCodes = errors.New("bench codes are issued by the bench tool")

// A grade from the request with the bench grade sent elsewhere first:
// the lifetime that follows is never the bench one.
func issueUnlessBench(ctx context.Context, client *cloudflare.Client, code string, g grade) error {
	if g == gradeBench {
		return errNoBenchCodes
	}
	return putGraded(ctx, client, code, g.lifetime())
}

func issueSwitched(ctx context.Context, client *cloudflare.Client, code string, g grade) error {
	switch g {
	case gradeBench:
		return errNoBenchCodes
	}
	return putGraded(ctx, client, code, g.lifetime())
}

// Only the bench grade gets here.
func issueOnlyBench(ctx context.Context, client *cloudflare.Client, code string, g grade) error {
	if g != gradeBench {
		return nil
	}
	return putGraded(ctx, client, code, g.lifetime()) // want `ExpirationTTL 45 \(passed to putGraded\) is below`
}
