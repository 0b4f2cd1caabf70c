// Command kvadmin is the operators' tool for the SSO namespaces: it claims
// clinic slugs, exports and imports device records, and publishes flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/clinicgroup/wallcreeper/internal/flags"
	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

const privacyNotice = `Access to this record is logged. Staff of the clinic group may open a
patient record only when they are directly involved in the patient's care or
have another documented lawful basis. Every access is attributed to the
signed-in staff member, the device, the clinic and the time of access, and is
reviewed by the data protection officer. Misuse of access rights is a
disciplinary matter and may be reported to the supervisory authority. If you
opened this record in error, close it now and report the access to your
clinic manager, who will document the reason in the access register. Patients
may request a copy of the access log for their record at any time, and the
clinic group will provide it within one month of the request as required by
data protection law. Records of minors, mental health care and sexual health
care are subject to additional restrictions and may require a second step-up
confirmation by a senior clinician before they are shown on a shared device. Questions about this
notice go to privacy@clinics.example or to the clinic manager on duty.`

type admin struct {
	client  *cloudflare.Client
	account string
	nsID    string
	ns      *kvstore.Namespace
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kvadmin claim|export|import|peek|notice|publish ...")
		os.Exit(2)
	}
	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE"), "admin")
	client, account, nsID := ns.Raw()
	a := admin{client: client, account: account, nsID: nsID, ns: ns}
	ctx := context.Background()

	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "claim":
		fs := flag.NewFlagSet("claim", flag.ExitOnError)
		owner := fs.String("owner", "", "clinic ID that claims the slug")
		_ = fs.Parse(args)
		err = a.claimSlug(ctx, fs.Arg(0), *owner)
	case "export":
		err = a.exportDevices(ctx, os.Stdout)
	case "import":
		err = a.importDevices(ctx, os.Stdin)
	case "peek":
		err = a.peek(ctx, args[0])
	case "notice":
		err = a.publishNotice(ctx, args[0])
	case "recent":
		err = a.recentClinics(ctx)
	case "publish":
		fs := flag.NewFlagSet("publish", flag.ExitOnError)
		clinic := fs.String("clinic", "_global", "clinic scope")
		_ = fs.Parse(args)
		var defs []flags.Definition
		if err = json.NewDecoder(os.Stdin).Decode(&defs); err == nil {
			err = flags.Publisher{NS: ns, Actor: os.Getenv("USER")}.Publish(ctx, *clinic, defs)
		}
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvadmin:", err)
		os.Exit(1)
	}
}

// claimSlug reserves a portal subdomain for a clinic.
func (a admin) claimSlug(ctx context.Context, slug, owner string) error {
	key := "slug/" + strings.ToLower(slug)
	if _, err := a.ns.Get(ctx, key); err == nil {
		return fmt.Errorf("slug %q is already taken", slug)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return a.ns.Put(ctx, key, []byte(owner), 0) // EXPECT kvrace
}

// exportDevices writes every registered device as one JSON line.
func (a admin) exportDevices(ctx context.Context, w io.Writer) error {
	pager := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F("device/"),
	})
	enc := json.NewEncoder(w)
	for pager.Next() {
		k := pager.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "meta": k.Metadata}); err != nil {
			return err
		}
	}
	return pager.Err()
}

// importDevices restores an export in bulk requests.
func (a admin) importDevices(ctx context.Context, r io.Reader) error {
	var body []kv.NamespaceKeyBulkUpdateParamsBody
	dec := json.NewDecoder(r)
	for {
		var rec struct {
			Key  string         `json:"key"`
			Meta map[string]any `json:"meta"`
		}
		if err := dec.Decode(&rec); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		raw, _ := json.Marshal(rec.Meta)
		body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:      cloudflare.F(rec.Key),
			Value:    cloudflare.F(string(raw)),
			Metadata: cloudflare.F[any](rec.Meta),
		})
	}
	for chunk := range slices.Chunk(body, 20000) { // EXPECT kvlimits
		if _, err := a.client.KV.Namespaces.Keys.BulkUpdate(ctx, a.nsID, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(a.account),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	return nil
}

// peek prints one value, or a note when the key does not exist.
func (a admin) peek(ctx context.Context, key string) error {
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.account),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 { // EXPECT kvnull
		fmt.Println("(not set)")
		return nil
	}
	fmt.Println(string(body))
	return nil
}

// publishNotice stores the privacy notice shown before record access, with
// the notice text in metadata so the Worker can list it without a get.
func (a admin) publishNotice(ctx context.Context, clinic string) error {
	_, err := a.client.KV.Namespaces.Values.Update(ctx, a.nsID, "notice/"+clinic, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		Metadata:  cloudflare.F[any](map[string]string{"text": privacyNotice, "lang": "en"}), // EXPECT kvlimits
	})
	return err
}

// recentClinics prints a handful of clinic keys as a connectivity check.
func (a admin) recentClinics(ctx context.Context) error {
	page, err := a.client.KV.Namespaces.Keys.List(ctx, a.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F("clinic/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("...")
	}
	return nil
}
