// Package kvlimits holds kvlimits' cases on the generated cloudflare-go/v6.
package kvlimits

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type client struct {
	cf      *cloudflare.Client
	account string
	ns      string
}

type device struct {
	ID     string
	Config string
}

// Quiet: every device in one bulk write, whatever their number; how many
// there are is not known at compile time.
func (c *client) push(ctx context.Context, devices []device) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, d := range devices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      body,
	})
	return err
}

// Quiet: written in chunks of 10,000.
func (c *client) pushChunked(ctx context.Context, devices []device) error {
	for chunk := range slices.Chunk(devices, 10000) {
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, d := range chunk {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
		}
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// Quiet: the input is refused when it is too large.
func (c *client) pushSome(ctx context.Context, devices []device) error {
	if len(devices) > 10000 {
		return context.Canceled
	}
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, d := range devices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}

// A bulk get of 500 keys.
func (c *client) shards(ctx context.Context) (*kv.NamespaceBulkGetResponse, error) {
	var keys []string
	for i := 0; i < 500; i++ {
		keys = append(keys, "shard:"+string(rune('a'+i%26)))
	}
	return c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{ // want `this bulk get sends 500 keys`
		AccountID: cloudflare.F(c.account),
		Keys:      cloudflare.F(keys),
	})
}

// A REST list limit below 10.
func (c *client) peek(ctx context.Context) error {
	_, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Limit:     cloudflare.F(5.0), // want `the KV REST API refuses a list Limit below 10`
	})
	return err
}

// Metadata too large for KV.
func (c *client) tag(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata: cloudflare.F[any](map[string]string{ // want `this metadata serialises to at least \d+ bytes`
			"description": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.",
			"notes":       "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.",
			"owner":       "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.",
		}),
	})
	return err
}

// Quiet: small metadata.
func (c *client) label(ctx context.Context, key, owner string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](map[string]string{"owner": owner}),
	})
	return err
}

// Chunks cut larger than a bulk write takes.
func (c *client) pushBatches(ctx context.Context, devices []device) error {
	for start := 0; start < len(devices); start += 20000 {
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, d := range devices[start:min(start+20000, len(devices))] {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
		}
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}); err != nil { // want `this bulk write sends 20000 pairs`
			return err
		}
	}
	return nil
}

// The admin pages' sizes are settings, whose defaults are constants.
type adminSettings struct {
	PageSize   int
	ExportPage int
}

func defaultAdminSettings() adminSettings {
	return adminSettings{
		PageSize:   2500, // want `a KV list returns at most 1,000 keys a page, and a Limit of 2500 is refused`
		ExportPage: 1000,
	}
}

type admin struct {
	c   *client
	cfg adminSettings
}

func (c *client) page(ctx context.Context, cursor string, limit int) error {
	_, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Cursor:    cloudflare.F(cursor),
		Limit:     cloudflare.F(float64(limit)),
	})
	return err
}

func (a *admin) listing(ctx context.Context, cursor string) error {
	return a.c.page(ctx, cursor, a.cfg.PageSize)
}

func (a *admin) export(ctx context.Context, cursor string) error {
	return a.c.page(ctx, cursor, a.cfg.ExportPage)
}

// licence is shown with every firmware manifest.
const licence = "This firmware is licensed, not sold. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum."

// The metadata of each pair of a bulk write has the same limit.
func (c *client) publish(ctx context.Context, channel, manifest string) error {
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:      cloudflare.F("fw:" + channel),
			Value:    cloudflare.F(manifest),
			Metadata: cloudflare.F[any](map[string]string{"licence": licence, "summary": licence}), // want `this metadata serialises to at least \d+ bytes`
		}},
	})
	return err
}

// Quiet: a pair's small metadata.
func (c *client) publishShort(ctx context.Context, channel, manifest string) error {
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:      cloudflare.F("fw:" + channel),
			Value:    cloudflare.F(manifest),
			Metadata: cloudflare.F[any](map[string]string{"channel": channel}),
		}},
	})
	return err
}

// serialBlock is how many serials one print run reserves.
const serialBlock = 12_000

// A counted loop from a start to the start plus a constant.
func (c *client) reserve(ctx context.Context, first int) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for n := first; n < first+serialBlock; n++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("serial:" + strconv.Itoa(n)), Value: cloudflare.F("reserved")})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `this bulk write sends 12000 pairs`
	return err
}

// A loop of a constant count that may return early: the early return
// drops the slice, so the bulk write still sends 12000 pairs.
func (c *client) mintSerials(ctx context.Context, mint func(int) (string, error)) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, serialBlock)
	for n := range serialBlock {
		code, err := mint(n)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("serial:" + code), Value: cloudflare.F("minted")})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `this bulk write sends 12000 pairs`
	return err
}

// Quiet: the loop may stop early and still write what it has, so how
// many pairs it sends is not known.
func (c *client) mintUntil(ctx context.Context, mint func(int) (string, bool)) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for n := range serialBlock {
		code, more := mint(n)
		if !more {
			break
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("serial:" + code), Value: cloudflare.F("minted")})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}

// A counted loop from one to a bound, inclusive.
func (c *client) badges(ctx context.Context) (*kv.NamespaceBulkGetResponse, error) {
	var names []string
	for i := 1; i <= 240; i++ {
		names = append(names, "badge:"+strconv.Itoa(i))
	}
	return c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(c.account), Keys: cloudflare.F(names)}) // want `this bulk get sends 240 keys`
}

// Quiet: 100 keys, counted from one.
func (c *client) topBadges(ctx context.Context) (*kv.NamespaceBulkGetResponse, error) {
	var names []string
	for i := 1; i <= 100; i++ {
		names = append(names, "badge:"+strconv.Itoa(i))
	}
	return c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(c.account), Keys: cloudflare.F(names)})
}

// write escapes the key for the URL path, as REST adapters do.
func (c *client) write(ctx context.Context, key, value string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

const syncStateKey = "."

// An escaped "." is still ".".
func (c *client) markSynced(ctx context.Context) error {
	return c.write(ctx, syncStateKey, "done") // want `KV refuses the key "."`
}

// Quiet: a key the escape changes is a key.
func (c *client) markSyncedAs(ctx context.Context) error {
	return c.write(ctx, "sync/state", "done")
}

// A range over slices.Chunk with a chunk size above the limit: reported at
// the size.
func (c *client) pushInChunks(ctx context.Context, devices []device) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(devices))
	for _, d := range devices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
	}
	for batch := range slices.Chunk(body, importChunk) { // want `this bulk write sends chunks of up to 20000 pairs`
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch}); err != nil {
			return err
		}
	}
	return nil
}

const importChunk = 20_000

// Quiet: chunks within the limit.
func (c *client) pushInSmallChunks(ctx context.Context, devices []device) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(devices))
	for _, d := range devices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
	}
	for batch := range slices.Chunk(body, 10_000) {
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch}); err != nil {
			return err
		}
	}
	return nil
}

// The same with a window cut by hand, handed to the bulk write whole.
func (c *client) pushWindows(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += importChunk {
		batch := body[start:min(start+importChunk, len(body))]
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch}); err != nil { // want `this bulk write sends chunks of up to 20000 pairs`
			return err
		}
	}
	return nil
}

// The window cut in the call, on a line of its own: reported there.
func (c *client) pushWindowsInCall(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += importChunk {
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      body[start:min(start+importChunk, len(body))], // want `this bulk write sends chunks of up to 20000 pairs`
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// The window cut on a line before a call written over several lines:
// reported at the call, not at the name it is sent by.
func (c *client) pushWindowsByName(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += importChunk {
		batch := body[start:min(start+importChunk, len(body))]
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{ // want `this bulk write sends chunks of up to 20000 pairs`
			AccountID: cloudflare.F(c.account),
			Body:      batch,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// The window's end sized on a line before the call, cut in the argument:
// reported at the call.
func (c *client) pushWindowsToEnd(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += importChunk {
		end := min(start+importChunk, len(body))
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{ // want `this bulk write sends chunks of up to 20000 pairs`
			AccountID: cloudflare.F(c.account),
			Body:      body[start:end],
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Quiet: windows within the limit.
func (c *client) pushSmallWindows(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += 5000 {
		batch := body[start:min(start+5000, len(body))]
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch}); err != nil {
			return err
		}
	}
	return nil
}

// occupancy has a slot per five minutes of the day: 288 booleans are at
// least 1,440 bytes of JSON, whatever they hold.
type occupancy struct {
	Depot string    `json:"depot"`
	Slots [288]bool `json:"slots"`
}

type summary struct {
	Depot string  `json:"depot"`
	Peaks [12]int `json:"peaks"`
}

func occupancyOf(depot string) occupancy { return occupancy{Depot: depot} }

func summaryOf(depot string) summary { return summary{Depot: depot} }

// Metadata whose type alone is over the limit.
func (c *client) publishOccupancy(ctx context.Context, depot string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "schedule:"+depot, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](occupancyOf(depot)), // want `this metadata serialises to at least 1461 bytes`
	})
	return err
}

// Quiet: a small fixed array.
func (c *client) publishSummary(ctx context.Context, depot string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "summary:"+depot, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](summaryOf(depot)),
	})
	return err
}

// A batch sent when it reaches a size above the limit.
func (c *client) verify(ctx context.Context, ids []string) error {
	const verifyBatch = 250
	batch := make([]string, 0, verifyBatch)
	for i, id := range ids {
		batch = append(batch, "device:"+id)
		if len(batch) < verifyBatch && i < len(ids)-1 {
			continue
		}
		if _, err := c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{ // want `this bulk get sends batches of up to 250 keys`
			AccountID: cloudflare.F(c.account),
			Keys:      cloudflare.F(batch),
		}); err != nil {
			return err
		}
		batch = batch[:0]
	}
	return nil
}

// Quiet: flushed at the limit.
func (c *client) verifySmall(ctx context.Context, ids []string) error {
	var batch []string
	for _, id := range ids {
		batch = append(batch, "device:"+id)
		if len(batch) >= 100 {
			if _, err := c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(c.account), Keys: cloudflare.F(batch)}); err != nil {
				return err
			}
			batch = nil
		}
	}
	return nil
}

type preview struct {
	Author string
	Text   string
}

// Metadata one field of which is padded past the limit by itself:
// reported at that field.
func (c *client) comment(ctx context.Context, key, author, body string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Metadata: cloudflare.F[any](preview{
			Author: author,
			Text:   fmt.Sprintf("%-1100.1100s", body), // want `this metadata serialises to at least \d+ bytes`
		}),
	})
	return err
}

// A key padded to a width longer than KV takes.
func (c *client) rank(ctx context.Context, season, name string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns,
		url.PathEscape(fmt.Sprintf("rank/%s/%-512s", season, name)), // want `this key is at least 518 bytes long`
		kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(c.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(name)),
		})
	return err
}

// Quiet: a width that fits.
func (c *client) rankShort(ctx context.Context, season, name string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, fmt.Sprintf("rank/%s/%-32s", season, name),
		kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(c.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(name)),
		})
	return err
}
