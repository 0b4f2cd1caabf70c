package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/harborclinic/stint/internal/adminkv"
)

// claimSlug gives a doctor a vanity URL such as /dr/jane-okafor.
func claimSlug(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 2); err != nil {
		return err
	}
	doctor, slug := args[0], strings.ToLower(args[1])
	key := "slug:" + slug
	owner, err := a.avail.Get(ctx, key)
	switch {
	case err == nil:
		if string(owner) == doctor {
			return nil
		}
		return fmt.Errorf("slug %q belongs to %s", slug, owner)
	case !errors.Is(err, adminkv.ErrNotFound):
		return err
	}
	return a.avail.Put(ctx, key, []byte(doctor)) // EXPECT kvrace
}

// revokeStaff signs a doctor out of the admin app everywhere, after a
// password reset or when they leave the practice.
func revokeStaff(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 1); err != nil {
		return err
	}
	doctor := args[0]
	var keys []string
	err := adminkv.Prefix("admin:sess:"+doctor+":").Each(ctx, a.portal, 10, func(k kv.Key) error {
		keys = append(keys, k.Name)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := a.portal.Delete(ctx, k); err != nil { // EXPECT kvsession
			return err
		}
	}
	return a.portal.Delete(ctx, "admin:refresh:"+doctor) // EXPECT kvsession
}

func newToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenHash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// rotateToken replaces a clinic's integration token (used by its front desk
// software to push walk-ins).
func rotateToken(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 1); err != nil {
		return err
	}
	clinic := args[0]
	tok := newToken()
	meta := map[string]any{"rotated": now().Unix(), "by": os.Getenv("USER")}
	if err := a.portal.PutWithMeta(ctx, "auth:clinic-token:"+clinic, []byte(tokenHash(tok)), meta); err != nil { // EXPECT kvsession
		return err
	}
	id := newToken()[:12]
	if err := a.portal.PutWithMeta(ctx, "auth:apikey:"+id, []byte(tokenHash(tok)), map[string]any{"clinic": clinic}); err != nil {
		return err
	}
	fmt.Printf("token: %s\nkey id: %s\n", tok, id)
	return nil
}

type clinicSettings struct {
	Timezone string               `json:"tz"`
	Hours    map[string][2]string `json:"hours"`
	Updated  time.Time            `json:"updated"`
}

// setHours changes the opening hours of one weekday.
func setHours(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 4); err != nil {
		return err
	}
	clinic, day, open, closing := args[0], strings.ToLower(args[1]), args[2], args[3]
	key := "clinic:settings:" + clinic
	st := clinicSettings{Timezone: "Europe/London", Hours: map[string][2]string{}}
	raw, err := a.avail.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("settings of %s: %w", clinic, err)
		}
	}
	if st.Hours == nil {
		st.Hours = map[string][2]string{}
	}
	st.Hours[day] = [2]string{open, closing}
	st.Updated = now().UTC()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return a.avail.Put(ctx, key, b) // EXPECT kvrace
}

// chargeQuota books SMS usage reported by the gateway's daily invoice.
func chargeQuota(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 2); err != nil {
		return err
	}
	clinic := args[0]
	used, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return err
	}
	key := "sms:quota:" + clinic
	raw, err := a.portal.Get(ctx, key)
	if err != nil {
		return err
	}
	left, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return err
	}
	left -= used
	return a.portal.Put(ctx, key, []byte(strconv.FormatInt(left, 10))) // EXPECT kvcounter|kvrace
}

// topUp sets a clinic's SMS allowance after a purchase.
func topUp(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 2); err != nil {
		return err
	}
	amount, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	return a.portal.Put(ctx, "sms:quota:"+args[0], []byte(strconv.Itoa(amount))) // DEBATABLE kvcounter
}

// show prints a key of the availability namespace.
func show(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 1); err != nil {
		return err
	}
	raw, err := a.avail.Get(ctx, args[0])
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Println("(not set)")
		return nil
	}
	fmt.Println(string(raw))
	return nil
}

// clinicInfo prints a clinic's public description, filling the edge copy
// from the directory export when it is missing.
func clinicInfo(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 1); err != nil {
		return err
	}
	key := "clinic:" + args[0]
	raw, err := a.avail.Get(ctx, key)
	if errors.Is(err, adminkv.ErrNotFound) {
		raw, err = os.ReadFile(filepath.Join(os.Getenv("CLINIC_DIR"), args[0]+".json"))
		if err != nil {
			return err
		}
		if err := a.avail.Put(ctx, key, raw); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	fmt.Println(string(raw))
	return nil
}

// publishTemplates uploads the SMS templates and the current consent notice.
func publishTemplates(ctx context.Context, a *admin, _ []string) error {
	if err := a.portal.PutWithMeta(ctx, "sms:template:appt-24h", []byte(reminderTemplate), map[string]any{"version": 7, "locale": "en-GB"}); err != nil {
		return err
	}
	// Reverse lookup so the gateway callback can map a delivered body back to
	// its template.
	if err := a.portal.Put(ctx, "sms:by-body:"+reminderTemplate, []byte("appt-24h")); err != nil { // EXPECT kvlimits
		return err
	}
	_, err := a.portal.SDK().KV.Namespaces.Bulk.Update(ctx, a.portal.Namespace(), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(a.portal.Account()),
		Body: []kv.NamespaceBulkUpdateParamsBody{
			{
				Key:      cloudflare.F("consent:current"),
				Value:    cloudflare.F(consentVersion),
				Metadata: cloudflare.F(map[string]interface{}{"version": consentVersion, "notice": consentNotice}), // EXPECT kvlimits
			},
			{
				Key:           cloudflare.F("consent:announce"),
				Value:         cloudflare.F(consentVersion),
				ExpirationTTL: cloudflare.F(float64(14 * 24 * 60 * 60)),
				Metadata:      cloudflare.F(map[string]interface{}{"version": consentVersion}),
			},
		},
	})
	return err
}

// backfill republishes a clinic's per-day archive markers after an outage.
func backfill(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 2); err != nil {
		return err
	}
	clinic := args[0]
	days, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	start := now().UTC().Truncate(24 * time.Hour)
	w := adminkv.Writer(a.avail.Put)
	for i := range days {
		day := start.AddDate(0, 0, -i).Format("2006-01-02")
		if err := w.JSON(ctx, "archive:"+clinic+":"+day, map[string]string{"day": day, "state": "backfilled"}); err != nil {
			return err
		}
		if err := a.avail.Put(ctx, "backfill:checkpoint", []byte(clinic+" "+day)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ls prints key names under a prefix; -all walks the whole listing.
func ls(ctx context.Context, a *admin, args []string) error {
	if err := need(args, 1); err != nil {
		return err
	}
	prefix := args[0]
	if len(args) > 1 && args[1] == "-all" {
		cursor := ""
		for {
			keys, next, err := a.avail.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return err
			}
			for _, k := range keys {
				fmt.Println(k.Name)
			}
			if next == "" {
				return nil
			}
			cursor = next
		}
	}
	const maxPages = 5
	cursor := ""
	for page := range maxPages {
		keys, next, err := a.avail.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			fmt.Println(k.Name)
		}
		if next == "" {
			return nil
		}
		if page == maxPages-1 {
			fmt.Printf("... more (cursor %s)\n", next)
		}
		cursor = next
	}
	return nil
}
