package kvrace

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type sink interface {
	Send(ctx context.Context, body string) error
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + strconv.Itoa(e.code) }

func (f *flags) paused(ctx context.Context, endpoint string) bool {
	_, ok, err := f.lookup(ctx, "pause:"+endpoint)
	return err == nil && ok
}

// Quiet: the pause records what the endpoint answered, which error its
// send returned; the check before only skips a paused endpoint.
func (f *flags) deliver(ctx context.Context, s sink, endpoint, body string) {
	if f.paused(ctx, endpoint) {
		return
	}
	sendErr := s.Send(ctx, body)
	var se *statusError
	if errors.As(sendErr, &se) {
		_ = f.pause(ctx, endpoint, se.code)
	}
}

// pause stops deliveries to an endpoint for five minutes.
func (f *flags) pause(ctx context.Context, endpoint string, status int) error {
	_, err := f.client.KV.Namespaces.Values.Update(ctx, f.ns, "pause:"+endpoint, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(f.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(status))),
		Expiration: cloudflare.F(float64(time.Now().Add(5 * time.Minute).Unix())),
	})
	return err
}
