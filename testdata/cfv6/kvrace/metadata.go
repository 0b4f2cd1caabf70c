package kvrace

import (
	"context"
	"errors"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// campaigns keeps a campaign's body with its status in the metadata.
type campaigns struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (c *campaigns) get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.client.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (c *campaigns) put(ctx context.Context, key string, body []byte, meta any) error {
	_, err := c.client.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(body))),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

type campaignMeta struct{ Status string }

// The body written back as it was read, its metadata changed: a status
// another request set in between is lost.
func (c *campaigns) pause(ctx context.Context, id string, meta campaignMeta) error {
	body, err := c.get(ctx, "campaign:"+id)
	if err != nil {
		return err
	}
	meta.Status = "paused"
	return c.put(ctx, "campaign:"+id, body, meta) // want `read-modify-write on one KV key`
}

// Stored again as read, with no metadata: a renewal, left alone.
func (c *campaigns) touch(ctx context.Context, id string) error {
	body, err := c.get(ctx, "campaign:"+id)
	if err != nil {
		return err
	}
	return c.put(ctx, "campaign:"+id, body, nil)
}

// meta reads a key's metadata alone.
func (c *campaigns) meta(ctx context.Context, key string) (any, error) {
	res, err := c.client.KV.Namespaces.Metadata.Get(ctx, c.ns, key, kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return nil, err
	}
	return *res, nil
}

var errExists = errors.New("exists")

// A folder created where a metadata read found nothing: an entry with no
// body, all of it in its metadata. Two requests both find the name free.
func (c *campaigns) mkdir(ctx context.Context, name string) error {
	if _, err := c.meta(ctx, "entry:"+name); err == nil {
		return errExists
	}
	return c.put(ctx, "entry:"+name, nil, campaignMeta{Status: "folder"}) // want `check-then-create on one KV key`
}
