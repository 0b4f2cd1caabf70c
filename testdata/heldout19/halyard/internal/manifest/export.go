// Package manifest builds carrier pickup manifests (CSV) from the shipment
// projections in KV and serves the finished files to the portal.
package manifest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/tracking"
)

var now = time.Now

// manifestColumns is the fixed column set carriers accept.
const manifestColumns = "shipment_id,tracking_number,carrier_scac,service_level,pickup_date,pickup_window_start," +
	"pickup_window_end,shipper_name,shipper_address_1,shipper_address_2,shipper_city,shipper_region," +
	"shipper_postal_code,shipper_country,consignee_name,consignee_address_1,consignee_address_2,consignee_city," +
	"consignee_region,consignee_postal_code,consignee_country,pieces,weight_kg,length_cm,width_cm,height_cm," +
	"declared_value,currency,hazmat_un_number,hazmat_class,reference_1,reference_2,po_number,bill_to_account," +
	"special_instructions,appointment_required,liftgate_required,residential_delivery"

const bulkChunk = 250

// Exporter builds manifests.
type Exporter struct {
	api       *cloudflare.Client
	accountID string
	ns        string
	files     kvstore.Store
}

// NewExporter wires an exporter. files receives finished exports.
func NewExporter(api *cloudflare.Client, accountID, ns string, files kvstore.ReadWriter) *Exporter {
	return &Exporter{api: api, accountID: accountID, ns: ns, files: kvstore.New(files)}
}

func header() []string { return strings.Split(manifestColumns, ",") }

func row(s *tracking.Shipment) []string {
	r := make([]string, len(header()))
	r[0], r[1], r[2] = s.ID, s.TrackingNumber, s.Carrier
	return r
}

// WriteIDs streams the IDs of every shipment of a tenant, for the nightly
// reconciliation with the booking database.
func (e *Exporter) WriteIDs(ctx context.Context, tenant string, w io.Writer) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.accountID),
		Prefix:    cloudflare.F(keys.Join("ship", tenant) + ":"),
	}
	n := 0
	for {
		res, err := e.api.KV.Namespaces.Keys.List(ctx, e.ns, params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Result {
			fmt.Fprintln(w, k.Name)
			n++
		}
		if res.ResultInfo.Cursor == "" {
			return n, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
}

// Build writes the manifest of the given shipments (at most a day's pickup
// for one carrier) as CSV, using bulk reads.
func (e *Exporter) Build(ctx context.Context, tenant string, ids []string, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header()); err != nil {
		return err
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = keys.Shipment{Tenant: tenant, ID: id}.String()
	}
	for chunk := range slices.Chunk(names, bulkChunk) {
		res, err := e.api.KV.Namespaces.BulkGet(ctx, e.ns, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(e.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeJson),
		})
		if err != nil {
			return err
		}
		vals, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return fmt.Errorf("manifest: unexpected bulk response")
		}
		for _, name := range chunk {
			v, ok := vals.Values[name].(kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesMap)
			if !ok {
				continue
			}
			b, _ := json.Marshal(v)
			var s tracking.Shipment
			if err := json.Unmarshal(b, &s); err != nil {
				return err
			}
			if err := cw.Write(row(&s)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// BuildForCustomer writes a customer's manifest, reading at most maxPages
// pages of their shipments.
func (e *Exporter) BuildForCustomer(ctx context.Context, tenant, customer string, maxPages int, w io.Writer) error {
	cw := csv.NewWriter(w)
	defer cw.Flush()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.accountID),
		Prefix:    cloudflare.F(keys.CustomerPrefix(tenant, customer)),
		Limit:     cloudflare.F(1000.0),
	}
	for page := 0; page < maxPages; page++ {
		res, err := e.api.KV.Namespaces.Keys.List(ctx, e.ns, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			body, err := e.api.KV.Namespaces.Values.Get(ctx, e.ns, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(e.accountID),
			})
			if err != nil {
				return err
			}
			var s tracking.Shipment
			err = json.NewDecoder(body.Body).Decode(&s)
			body.Body.Close()
			if err != nil {
				return err
			}
			if err := cw.Write(row(&s)); err != nil {
				return err
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return cw.Error()
}

// Publish stores a finished manifest file and appends it to the day's index
// of exports shown in the portal.
func (e *Exporter) Publish(ctx context.Context, tenant, exportID string, csvBody []byte) error {
	if err := e.files.Write(keys.Join("manifest", tenant, exportID)).Value(csvBody).TTL(30 * 24 * time.Hour).Do(ctx); err != nil {
		return err
	}
	idx := keys.Join("manifest-index", tenant, now().UTC().Format("20060102"))
	prev := ""
	res, err := e.api.KV.Namespaces.Values.Get(ctx, e.ns, idx, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.accountID)})
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		prev = string(b)
	} else if !isMissing(err) {
		return err
	}
	_, err = e.api.KV.Namespaces.Values.Update(ctx, e.ns, idx, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(e.accountID),
		Value:         cloudflare.F(prev + exportID + "\n"),
		ExpirationTTL: cloudflare.F(float64(30 * 24 * 60 * 60)),
	})
	return err
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == 404
}

// Downloaded records that a manifest file was fetched, for the carrier
// compliance report.
func (e *Exporter) Downloaded(ctx context.Context, tenant, exportID string) error {
	key := keys.Join("manifest-downloads", tenant, exportID)
	n := 0
	if v, err := e.files.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(v))
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	return e.files.Write(key).String(strconv.Itoa(n + 1)).Do(ctx) // EXPECT kvcounter
}
