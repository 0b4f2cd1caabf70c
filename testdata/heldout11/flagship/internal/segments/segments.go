// Package segments manages named user segments (beta testers, staff) that
// flag targeting refers to. Segments live beside the flags at the edge.
package segments

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/flagship/internal/kvkey"
)

// Segment is a named set of user IDs.
type Segment struct {
	Name      string    `json:"name"`
	Members   []string  `json:"members"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Client reads and writes segments.
type Client struct {
	CF        *cloudflare.Client
	Account   string
	Namespace string
}

func (c *Client) put(ctx context.Context, env string, s Segment) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = c.CF.KV.Namespaces.Values.Update(ctx, c.Namespace, kvkey.Segments.Child(env, s.Name).String(), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.Account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}

// Replace sets a segment's members from an uploaded list.
func (c *Client) Replace(ctx context.Context, env, name string, members []string) error {
	slices.Sort(members)
	return c.put(ctx, env, Segment{Name: name, Members: slices.Compact(members), UpdatedAt: time.Now().UTC()})
}

// Add adds userIDs to a segment, creating it if needed.
func (c *Client) Add(ctx context.Context, env, name string, userIDs ...string) error {
	res, err := c.CF.KV.Namespaces.Values.Get(ctx, c.Namespace, kvkey.Segments.Child(env, name).String(), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.Account),
	})
	s := Segment{Name: name}
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
			return err
		}
	case !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound:
		return err
	}
	for _, id := range userIDs {
		if !slices.Contains(s.Members, id) {
			s.Members = append(s.Members, id)
		}
	}
	s.UpdatedAt = time.Now().UTC()
	return c.put(ctx, env, s) // EXPECT kvrace
}
