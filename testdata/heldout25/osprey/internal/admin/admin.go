// Package admin implements the operator commands of ospreyctl.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// Console runs admin commands against one namespace.
type Console struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	Raw       storage.Raw
	Out       io.Writer
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (c *Console) read(ctx context.Context, key string) ([]byte, error) {
	res, err := c.Client.KV.Namespaces.Values.Get(ctx, c.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (c *Console) write(ctx context.Context, key string, v []byte) error {
	_, err := c.Client.KV.Namespaces.Values.Update(ctx, c.Namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	})
	return err
}

// RevokeToken removes a project API token immediately.
func (c *Console) RevokeToken(ctx context.Context, project, id string) error {
	key := fmt.Sprintf("tokens/%s/%s", project, id)
	_, err := c.Client.KV.Namespaces.Values.Delete(ctx, c.Namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.AccountID)}) // EXPECT kvsession
	if notFound(err) {
		return nil
	}
	return err
}

// ListTokens prints all tokens of a project.
func (c *Console) ListTokens(ctx context.Context, project string) error {
	page, err := c.Client.KV.Namespaces.Keys.List(ctx, c.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(fmt.Sprintf("tokens/%s/", project)),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Out, "%d tokens\n", len(page.Result))
	for _, k := range page.Result {
		fmt.Fprintln(c.Out, k.Name)
	}
	return nil
}

// ListProjects prints one page of projects and the cursor for the next.
func (c *Console) ListProjects(ctx context.Context, cursor string) (string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F("projects/"),
		Limit:     cloudflare.F(1000.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.Client.KV.Namespaces.Keys.List(ctx, c.Namespace, params)
	if err != nil {
		return "", err
	}
	for _, k := range page.Result {
		fmt.Fprintln(c.Out, k.Name)
	}
	return page.ResultInfo.Cursor, nil
}

// Peek prints the first few keys under prefix.
func (c *Console) Peek(ctx context.Context, prefix string) error {
	page, err := c.Client.KV.Namespaces.Keys.List(ctx, c.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintln(c.Out, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintln(c.Out, "... more")
	}
	return nil
}

// RenameProject changes a project's display name.
func (c *Console) RenameProject(ctx context.Context, id, name string) error {
	key := fmt.Sprintf("projects/%s/record", id)
	b, err := c.read(ctx, key)
	if err != nil {
		return err
	}
	var p domain.Project
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	p.Name = name
	p.Touch(time.Now())
	out, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.write(ctx, key, out) // EXPECT kvrace
}

// ImportFlags loads a flag set exported from another installation,
// keeping a backup of the set it replaces.
func (c *Console) ImportFlags(ctx context.Context, fs domain.FlagSet) error {
	key := strings.Join([]string{"flags", fs.Project, "set"}, "/")
	res, err := c.Client.KV.Namespaces.Values.Get(ctx, c.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)}) // EXPECT kvnull
	if err == nil {
		old, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if err := c.write(ctx, key+".bak", old); err != nil {
			return err
		}
	}
	b, err := json.Marshal(fs)
	if err != nil {
		return err
	}
	return c.write(ctx, key, b)
}

// ImportFlagsSafe is ImportFlags with the miss told apart from other errors.
func (c *Console) ImportFlagsSafe(ctx context.Context, fs domain.FlagSet) error {
	key := strings.Join([]string{"flags", fs.Project, "set"}, "/")
	old, err := c.read(ctx, key)
	switch {
	case err == nil:
		if err := c.write(ctx, key+".bak", old); err != nil {
			return err
		}
	case !notFound(err):
		return err
	}
	b, err := json.Marshal(fs)
	if err != nil {
		return err
	}
	return c.write(ctx, key, b)
}

// Reindex rebuilds the flag index after an import.
func (c *Console) Reindex(ctx context.Context, sets []domain.FlagSet) error {
	index := map[string]int{}
	for _, fs := range sets {
		index[fs.Project] = len(fs.Flags)
		b, _ := json.Marshal(index)
		if err := c.write(ctx, "flags/index", b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ReindexOnce writes the index once after building it.
func (c *Console) ReindexOnce(ctx context.Context, sets []domain.FlagSet) error {
	index := make(map[string]int, len(sets))
	for _, fs := range sets {
		index[fs.Project] = len(fs.Flags)
	}
	b, _ := json.Marshal(index)
	return c.write(ctx, "flags/index", b)
}

// PublishPerProject writes each project's flag count under its own key.
func (c *Console) PublishPerProject(ctx context.Context, sets []domain.FlagSet) error {
	for _, fs := range sets {
		if err := c.write(ctx, "flags/"+fs.Project+"/count-cache", []byte(fmt.Sprint(len(fs.Flags)))); err != nil {
			return err
		}
	}
	return nil
}

const rootManifestKey = "."

// PublishManifest writes the deployment manifest at the namespace root.
func (c *Console) PublishManifest(ctx context.Context, manifest []byte) error {
	_, err := c.Client.KV.Namespaces.Values.Update(ctx, c.Namespace, rootManifestKey, kv.NamespaceValueUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(manifest)),
	})
	return err
}

// Maintenance shows a maintenance banner for the next hour.
func (c *Console) Maintenance(ctx context.Context, text string) error {
	_, err := c.Client.KV.Namespaces.Values.Update(ctx, c.Namespace, "banners/_global", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(text)),
		Expiration: cloudflare.F(float64(time.Now().Add(time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Announce shows a banner until the given time (at least two minutes from now).
func (c *Console) Announce(ctx context.Context, text string, until time.Time) error {
	if floor := time.Now().Add(2 * time.Minute); until.Before(floor) {
		until = floor
	}
	_, err := c.Client.KV.Namespaces.Values.Update(ctx, c.Namespace, "banners/_global", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(text)),
		Expiration: cloudflare.F(float64(until.Unix())),
	})
	return err
}

// DumpKeys prints every key under prefix, page by page, through the port.
func (c *Console) DumpKeys(ctx context.Context, prefix string, maxPages int) error {
	pg, err := c.Raw.List(ctx, prefix, "", 1000)
	if err != nil {
		return err
	}
	for i := 1; ; i++ {
		for _, k := range pg.Keys {
			fmt.Fprintln(c.Out, k.Name)
		}
		if pg.Complete || i >= maxPages {
			return nil
		}
		pg, err = c.Raw.List(ctx, "", pg.Cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
}

// ExportInvites prints every pending invitation of a project with its body.
func (c *Console) ExportInvites(ctx context.Context, project string) error {
	cursor := ""
	for page := 0; page < 20; page++ {
		pg, err := c.Raw.List(ctx, "invites-by-project/"+project+"/", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range pg.Keys {
			code := k.Name[strings.LastIndex(k.Name, "/")+1:]
			b, err := c.Raw.Get(ctx, "invites/"+code) // EXPECT kvlist
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.Out, "%s\t%s\n", code, b)
		}
		if pg.Complete {
			return nil
		}
		cursor = pg.Cursor
	}
	return nil
}

// ExportInviteIndex prints the pending invitations from key metadata only.
func (c *Console) ExportInviteIndex(ctx context.Context, project string, budget time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	cursor := ""
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		pg, err := c.Raw.List(ctx, "invites-by-project/"+project+"/", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range pg.Keys {
			var meta struct {
				Email string `json:"email"`
				Role  string `json:"role"`
			}
			_ = json.Unmarshal(k.Metadata, &meta)
			fmt.Fprintf(c.Out, "%s\t%s\t%s\n", k.Name, meta.Email, meta.Role)
		}
		if pg.Complete {
			return nil
		}
		cursor = pg.Cursor
	}
}
