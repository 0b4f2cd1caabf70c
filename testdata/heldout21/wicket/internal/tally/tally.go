// Package tally keeps counters in a Durable Object, which serialises
// increments, with an in-memory stand-in for tests.
package tally

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Counter adds to a named counter and returns the new value.
type Counter interface {
	Add(ctx context.Context, name string, delta int64) (int64, error)
	Value(ctx context.Context, name string) (int64, error)
}

// Fetcher is satisfied by a Durable Object stub.
type Fetcher interface {
	Fetch(*http.Request) (*http.Response, error)
}

// Durable routes every counter through a single Durable Object instance,
// which serialises increments.
type Durable struct{ Stub Fetcher }

func (d Durable) call(ctx context.Context, method, name string, delta int64) (int64, error) {
	u := "https://tally/" + url.PathEscape(name)
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(strconv.FormatInt(delta, 10))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, err
	}
	res, err := d.Stub.Fetch(req)
	if err != nil {
		return 0, fmt.Errorf("tally: %s %s: %w", method, name, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("tally: %s %s: status %d", method, name, res.StatusCode)
	}
	var out struct {
		Value int64 `json:"value"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return 0, err
	}
	return out.Value, nil
}

func (d Durable) Add(ctx context.Context, name string, delta int64) (int64, error) {
	return d.call(ctx, http.MethodPost, name, delta)
}

func (d Durable) Value(ctx context.Context, name string) (int64, error) {
	return d.call(ctx, http.MethodGet, name, 0)
}

// Memory is the in-process stand-in used by tests and the native dev server.
type Memory struct {
	mu sync.Mutex
	m  map[string]int64
}

func (m *Memory) Add(_ context.Context, name string, delta int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]int64{}
	}
	m.m[name] += delta
	return m.m[name], nil
}

func (m *Memory) Value(_ context.Context, name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[name], nil
}
