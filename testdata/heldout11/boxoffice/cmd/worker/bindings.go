//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvops"
)

// namespace returns a resolver for binding.
func namespace(binding string) func() (*kv.Namespace, error) {
	return func() (*kv.Namespace, error) {
		ns, err := kv.NewNamespace(binding)
		if err != nil {
			return nil, fmt.Errorf("binding %s: %w", binding, err)
		}
		return ns, nil
	}
}

// bindOps fills a kvops table with calls against binding. cacheTTL (seconds)
// applies to reads; zero keeps the runtime default.
func bindOps(binding string, cacheTTL int) kvops.Ops {
	resolve := namespace(binding)
	return kvops.Ops{
		Get: func(_ context.Context, key string) (string, error) {
			ns, err := resolve()
			if err != nil {
				return "", err
			}
			var opts *kv.GetOptions
			if cacheTTL > 0 {
				opts = &kv.GetOptions{CacheTTL: cacheTTL}
			}
			return ns.GetString(key, opts)
		},
		Put: func(_ context.Context, key, value string, ttlSeconds int) error {
			ns, err := resolve()
			if err != nil {
				return err
			}
			var opts *kv.PutOptions
			if ttlSeconds > 0 {
				opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
			}
			return ns.PutString(key, value, opts)
		},
		Delete: func(_ context.Context, key string) error {
			ns, err := resolve()
			if err != nil {
				return err
			}
			return ns.Delete(key)
		},
	}
}

// register adds a route given as "METHOD /path"; a trailing slash makes it
// a prefix route.
func register(rt *httpx.Router, route string, h httpx.Handler) {
	method, path, ok := strings.Cut(route, " ")
	if !ok {
		panic("bad route " + route)
	}
	if strings.HasSuffix(path, "/") {
		rt.HandlePrefix(method, path, h)
		return
	}
	rt.Handle(method, path, h)
}

// originMailer asks the origin to send login codes.
type originMailer struct {
	base string
	hc   *http.Client
}

func (m *originMailer) SendCode(ctx context.Context, email, code string) error {
	body, err := json.Marshal(map[string]string{"to": email, "template": "login-code", "code": code})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+"/internal/mail", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("mailer: origin answered %d", resp.StatusCode)
	}
	return nil
}
