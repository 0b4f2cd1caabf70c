package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/garganey/internal/feedtokens"
	"example.com/garganey/internal/restkv"
	"example.com/garganey/internal/sponsors"
)

// defaultLicense is attached to the audio key of episodes whose show has
// not chosen a license; podcast apps that read key metadata through our
// public API show it under the episode.
const defaultLicense = "This episode is published on Garganey under the Creative Commons " +
	"Attribution-NonCommercial-NoDerivatives 4.0 International license (CC BY-NC-ND 4.0). " +
	"You may copy and redistribute the audio in any medium or format, provided that you give " +
	"appropriate credit to the creator and to the show, provide a link to the license, and " +
	"indicate if changes were made. You may do so in any reasonable manner, but not in any way " +
	"that suggests the creator or Garganey endorses you or your use. You may not use the " +
	"material for commercial purposes, which includes inserting advertising before, during or " +
	"after the audio, and including the audio in a paid product or subscription. If you remix, " +
	"transform, clip or build upon the material, you may not distribute the modified material. " +
	"You may not apply legal terms or technological measures that legally restrict others from " +
	"doing anything the license permits. No warranties are given; the license may not give you " +
	"all of the permissions necessary for your intended use, as other rights such as publicity, " +
	"privacy or moral rights, and the rights of guests and of any music used under license, may " +
	"limit how you use the material. Sponsorship messages read by the host remain the property " +
	"of their sponsors and are excluded from this license. For commercial licensing, " +
	"syndication or broadcast, contact the creator through their Garganey profile page."

// seedSlots is the size of the synthetic inventory used by load tests: a
// season of 4000 episodes with three positions each.
const seedSlots = 12_000

var positions = [...]string{"pre", "mid", "post"}

// cmdSetAudio points an episode at its audio file.
func cmdSetAudio(e *env, args []string) error {
	fs := flag.NewFlagSet("set-audio", flag.ExitOnError)
	ns := fs.String("ns", "", "feeds namespace id")
	episode := fs.String("episode", "", "episode id")
	audio := fs.String("url", "", "audio file URL")
	attribution := fs.String("attribution", "", "credit line shown with the license")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	if *episode == "" || *audio == "" {
		return errors.New("-episode and -url are required")
	}
	_, err := e.api.KV.Namespaces.Bulk.Update(e.ctx, *ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(e.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:      cloudflare.F("audio-url:" + *episode),
			Value:    cloudflare.F(*audio),
			Metadata: cloudflare.F(map[string]interface{}{"license": defaultLicense, "attribution": *attribution}), // EXPECT kvlimits
		}},
	})
	return err
}

// cmdReindex rebuilds a show's episode index from its card keys, which
// sort by publication time.
func cmdReindex(e *env, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	ns := fs.String("ns", "", "feeds namespace id")
	show := fs.String("show", "", "show id")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	page, err := e.api.KV.Namespaces.Keys.List(e.ctx, *ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F("card:" + *show + ":"),
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	slices.Reverse(ids)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = e.api.KV.Namespaces.Values.Update(e.ctx, *ns, url.PathEscape("show:"+*show+":episodes"), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.account),
		Metadata:  cloudflare.F(`{"rebuilt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`),
		Value:     cloudflare.F(string(b)),
	})
	if err == nil {
		fmt.Fprintf(os.Stderr, "%s: %d episodes\n", *show, len(ids))
	}
	return err
}

// cmdRevokeSessions signs a creator out everywhere, e.g. after a password
// reset or a report of a stolen laptop.
func cmdRevokeSessions(e *env, args []string) error {
	fs := flag.NewFlagSet("revoke-sessions", flag.ExitOnError)
	ns := fs.String("ns", "", "sessions namespace id")
	creator := fs.String("creator", "", "creator id")
	maxPages := fs.Int("max-pages", 10, "give up after this many pages")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	prefix := "sess-by-creator:" + *creator + ":"
	cursor, n := "", 0
	for range *maxPages {
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F(prefix)}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := e.api.KV.Namespaces.Keys.List(e.ctx, *ns, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			sid := strings.TrimPrefix(k.Name, prefix)
			_, err := e.api.KV.Namespaces.Values.Delete(e.ctx, *ns, url.PathEscape("sess:"+sid), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(e.account)}) // EXPECT kvsession
			if err != nil && !restkv.IsNotFound(err) {
				return fmt.Errorf("session %s: %w", sid, err)
			}
			n++
		}
		if page.ResultInfo.Cursor == "" {
			fmt.Fprintf(os.Stderr, "ended %d sessions\n", n)
			return nil
		}
		cursor = page.ResultInfo.Cursor
	}
	return fmt.Errorf("ended %d sessions; more remain after %d pages", n, *maxPages)
}

// cmdToken revokes, rotates or closes private feed tokens:
// token -revoke <token> | -rotate <token> | -close <listener>.
func cmdToken(e *env, args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	ns := fs.String("ns", "", "feeds namespace id or DSN")
	revoke := fs.Bool("revoke", false, "revoke the token")
	rotate := fs.Bool("rotate", false, "issue a replacement and revoke the token")
	closeAll := fs.Bool("close", false, "argument is a listener; revoke all their tokens")
	fs.Parse(args)
	st, err := e.open(*ns)
	if err != nil {
		return err
	}
	t := feedtokens.New(st)
	switch {
	case *revoke:
		return t.Revoke(e.ctx, fs.Arg(0))
	case *rotate:
		fresh, err := t.Rotate(e.ctx, fs.Arg(0))
		fmt.Println(fresh)
		return err
	case *closeAll:
		n, err := t.RevokeAll(e.ctx, fs.Arg(0))
		fmt.Fprintf(os.Stderr, "revoked %d tokens\n", n)
		return err
	}
	return errors.New("one of -revoke, -rotate, -close is required")
}

// cmdSeedSlots fills a staging namespace with synthetic inventory.
func cmdSeedSlots(e *env, args []string) error {
	fs := flag.NewFlagSet("seed-slots", flag.ExitOnError)
	ns := fs.String("ns", "", "staging sponsors namespace id")
	show := fs.String("show", "loadtest", "show id used in slot ids")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, seedSlots)
	for i := range seedSlots {
		slot := sponsors.Slot{
			Episode:    fmt.Sprintf("%s-%04d", *show, i/len(positions)),
			Position:   positions[i%len(positions)],
			PriceCents: 2500,
			Listeners:  1000 + i%5000,
		}
		b, err := json.Marshal(slot)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("slot:" + slot.ID()),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F((7 * 24 * time.Hour).Seconds()),
		})
	}
	_, err := e.api.KV.Namespaces.Bulk.Update(e.ctx, *ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(e.account), Body: body}) // EXPECT kvlimits
	return err
}

// flagDoc is one feature flag as the Worker reads it.
type flagDoc struct {
	Name     string   `json:"name"`
	Enabled  bool     `json:"enabled"`
	Networks []string `json:"networks,omitempty"`
	Updated  string   `json:"updated"`
}

// cmdSetFlag turns a feature flag on or off, optionally for some networks.
func cmdSetFlag(e *env, args []string) error {
	fs := flag.NewFlagSet("set-flag", flag.ExitOnError)
	ns := fs.String("ns", "", "config namespace id")
	on := fs.Bool("on", true, "enable (false: disable)")
	networks := fs.String("networks", "", "comma-separated networks to add")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	name := fs.Arg(0)
	key := url.PathEscape("flags:" + name)

	doc := flagDoc{Name: name}
	resp, err := e.api.KV.Namespaces.Values.Get(e.ctx, *ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.account)}) // EXPECT kvnull
	if err == nil {
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("flags:%s: %w", name, err)
		}
	}
	doc.Enabled = *on
	for n := range strings.SplitSeq(*networks, ",") {
		if n != "" && !slices.Contains(doc.Networks, n) {
			doc.Networks = append(doc.Networks, n)
		}
	}
	doc.Updated = time.Now().UTC().Format(time.RFC3339)
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = e.api.KV.Namespaces.Values.Update(e.ctx, *ns, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.account), Metadata: cloudflare.F("{}"), Value: cloudflare.F(string(b))}) // EXPECT kvrace
	return err
}
