// Package kvnull holds kvnull's cases on the generated cloudflare-go/v6.
package kvnull

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type settings struct {
	Channels []string `json:"channels"`
}

type store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (s *store) get(ctx context.Context, key string) (*http.Response, error) {
	return s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
}

func (s *store) put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
	})
	return err
}

// Any failure of the read starts from empty settings, which the write
// then stores over the real ones.
func (s *store) subscribe(ctx context.Context, user, channel string) error {
	var st settings
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "settings:"+user, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // want `every error of this get is taken for a missing key`
	if err == nil {
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&st)
	}
	st.Channels = append(st.Channels, channel)
	b, _ := json.Marshal(st)
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, "settings:"+user, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
	})
	return err
}

// The same through the store's own helpers.
func (s *store) mute(ctx context.Context, user, channel string) error {
	var st settings
	resp, err := s.get(ctx, "settings:"+user) // want `every error of this get is taken for a missing key`
	if err != nil {
		st = settings{}
	} else {
		body, _ := io.ReadAll(resp.Body)
		json.Unmarshal(body, &st)
	}
	st.Channels = append(st.Channels, "-"+channel)
	return s.put(ctx, "settings:"+user, st)
}

// Quiet: only a 404 is a missing key.
func (s *store) unsubscribe(ctx context.Context, user, channel string) error {
	var st settings
	resp, err := s.get(ctx, "settings:"+user)
	var apiErr *cloudflare.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	case err != nil:
		return err
	default:
		body, _ := io.ReadAll(resp.Body)
		json.Unmarshal(body, &st)
	}
	st.Channels = append(st.Channels, "!"+channel)
	return s.put(ctx, "settings:"+user, st)
}

// Quiet: a failed read is returned.
func (s *store) rename(ctx context.Context, user, name string) error {
	resp, err := s.get(ctx, "profile:"+user)
	if err != nil {
		return err
	}
	var p map[string]string
	body, _ := io.ReadAll(resp.Body)
	json.Unmarshal(body, &p)
	p["name"] = name
	return s.put(ctx, "profile:"+user, p)
}
