// Package tagindex keeps tag → article id lists for the tag pages.
package tagindex

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Index is backed directly by the CONTENT namespace.
type Index struct {
	ns *kv.Namespace
}

// New returns an index.
func New(ns *kv.Namespace) *Index { return &Index{ns: ns} }

func normalize(tag string) string {
	return strings.ToLower(strings.Join(strings.Fields(tag), "-"))
}

// Add appends articleID to the tag's list.
func (ix *Index) Add(tag, articleID string) error {
	key := "tag:" + normalize(tag)
	ids, err := ix.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if ids == "<null>" {
		ids = ""
	}
	if ids != "" {
		ids += ","
	}
	return ix.ns.PutString(key, ids+articleID, nil) // EXPECT kvrace
}

// Articles lists the article ids for a tag, newest last.
func (ix *Index) Articles(tag string) ([]string, error) {
	v, err := ix.ns.GetString("tag:"+normalize(tag), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if len(v) == 0 { // EXPECT kvnull
		return nil, nil
	}
	return strings.Split(v, ","), nil
}
