//go:build !js

// Package backend holds the batch jobs that run next to the Worker: shift
// settlement, proof export, surge reconciliation and login revocation.
package backend

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"firecrest/internal/restkv"
)

// Env is what every job gets.
type Env struct {
	CF         *cloudflare.Client
	AccountID  string
	DispatchNS string
	AuthNS     string
	ProofsNS   string
	Dispatch   *restkv.Client
	Auth       *restkv.Client
	Proofs     *restkv.Client
}

// NewEnv builds the clients from the account credentials.
func NewEnv(token, account, dispatchNS, authNS, proofsNS string) *Env {
	hc := &http.Client{}
	mk := func(ns string) *restkv.Client {
		return &restkv.Client{AccountID: account, NamespaceID: ns, Token: token, HTTP: hc}
	}
	return &Env{
		CF:         cloudflare.NewClient(option.WithAPIToken(token), option.WithHTTPClient(hc)),
		AccountID:  account,
		DispatchNS: dispatchNS,
		AuthNS:     authNS,
		ProofsNS:   proofsNS,
		Dispatch:   mk(dispatchNS),
		Auth:       mk(authNS),
		Proofs:     mk(proofsNS),
	}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// readAll drains and closes an SDK value response.
func readAll(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 25<<20))
}

// Job is a named batch job.
type Job func(ctx context.Context, env *Env) error
