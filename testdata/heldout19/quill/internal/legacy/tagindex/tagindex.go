// Package tagindex maintains the tag pages of the Quill 1 theme (tag to
// comma-separated issue slugs). Like the importer it is on cloudflare-go v2.
package tagindex

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// Index is the tag index of one namespace.
type Index struct {
	cf        *cloudflare.Client
	accountID string
	namespace string
}

func New(cf *cloudflare.Client, accountID, namespace string) *Index {
	return &Index{cf: cf, accountID: accountID, namespace: namespace}
}

func tagKey(tag string) string { return "tag:" + strings.ToLower(tag) }

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (x *Index) get(ctx context.Context, key string) (*string, error) {
	return x.cf.KV.Namespaces.Values.Get(ctx, x.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(x.accountID),
	})
}

// Add tags an issue.
func (x *Index) Add(ctx context.Context, tag, slug string) error {
	key := tagKey(tag)
	cur, err := x.get(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	val := slug
	if err == nil && cur != nil && *cur != "" {
		if slices.Contains(strings.Split(*cur, ","), slug) {
			return nil
		}
		val = *cur + "," + slug
	}
	_, err = x.cf.KV.Namespaces.Values.Update(ctx, x.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(x.accountID),
		Value:     cloudflare.F(val),
		Metadata:  cloudflare.F(`{"theme":"q1"}`),
	})
	return err
}

// Popularity returns page views written nightly by the analytics export.
func (x *Index) Popularity(ctx context.Context, tag string) (int, error) {
	v, _ := x.get(ctx, "tagviews:"+strings.ToLower(tag)) // EXPECT kvnull
	return strconv.Atoi(strings.TrimSpace(*v))
}

// Preview returns the sidebar's first tags and the cursor of the rest.
func (x *Index) Preview(ctx context.Context) ([]string, string, error) {
	res, err := x.cf.KV.Namespaces.Keys.List(ctx, x.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(x.accountID),
		Prefix:    cloudflare.F("tag:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	tags := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		tags = append(tags, strings.TrimPrefix(k.Name, "tag:"))
	}
	return tags, res.ResultInfo.Cursor, nil
}
