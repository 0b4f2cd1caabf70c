package lambdas

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/meridiancare/knot/internal/kvstore"
)

// pharmacyDirectoryQuery is the PBM directory search for the pharmacies we
// route e-prescriptions to. The response changes weekly.
const pharmacyDirectoryQuery = "https://directory.pbm-network.example/fhir/R4/Organization" +
	"?type=http://terminology.hl7.org/CodeSystem/organization-type|prov" +
	"&_has:OrganizationAffiliation:participating-organization:specialty=http://nucc.org/provider-taxonomy|3336C0003X" +
	"&_has:OrganizationAffiliation:participating-organization:network=Organization/meridian-telehealth-network" +
	"&_has:OrganizationAffiliation:participating-organization:service=HealthcareService/e-prescribing-retail" +
	"&address-state=CA,OR,WA,NV,AZ,CO,UT,ID,NM,TX&active=true" +
	"&_revinclude=OrganizationAffiliation:participating-organization" +
	"&_include=OrganizationAffiliation:location&_include=OrganizationAffiliation:endpoint" +
	"&_elements=identifier,name,telecom,address,partOf&_count=500&_sort=name"

// RefillAPI serves the pharmacy-facing refill endpoints behind API Gateway.
type RefillAPI struct {
	KV    *kvstore.Namespace
	Nudge func(ctx context.Context, rxNumber string) error
	Fetch func(ctx context.Context, url string) ([]byte, error)
}

// Handle is the Lambda entry point.
func (h *RefillAPI) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	switch req.HTTPMethod + " " + req.Resource {
	case "GET /patients/{patientId}/refills":
		if req.QueryStringParameters["summary"] == "1" {
			return h.refillSummary(ctx, req.PathParameters["patientId"])
		}
		return h.listRefills(ctx, req.PathParameters["patientId"])
	case "POST /refills/{rxNumber}/nudge":
		return h.nudge(ctx, req.PathParameters["rxNumber"])
	case "POST /pickup/{rxNumber}/verify":
		return h.verifyPickup(ctx, req.PathParameters["rxNumber"], req.Body)
	case "POST /staff/logout":
		return h.staffLogout(ctx, req.RequestContext.Authorizer)
	case "GET /pharmacies":
		return h.pharmacies(ctx)
	}
	return respond(http.StatusNotFound, map[string]string{"error": "no route"})
}

func (h *RefillAPI) listRefills(ctx context.Context, patientID string) (events.APIGatewayProxyResponse, error) {
	var names []string
	cursor := ""
	for {
		page, err := h.KV.ListPage(ctx, "refill-status:"+patientID+":", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return fail(err)
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}

	views := make([]any, 0, len(names))
	for start := 0; start < len(names); start += 100 {
		res, err := h.KV.Client().KV.Namespaces.Keys.BulkGet(ctx, h.KV.ID(), kv.NamespaceKeyBulkGetParams{
			AccountID: cloudflare.F(h.KV.AccountID()),
			Keys:      cloudflare.F(names[start:min(start+100, len(names))]),
			Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeJson),
		})
		if err != nil {
			return fail(err)
		}
		if got, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult); ok {
			for _, v := range got.Values {
				views = append(views, v)
			}
		}
	}
	return respond(http.StatusOK, map[string]any{"refills": views})
}

func (h *RefillAPI) refillSummary(ctx context.Context, patientID string) (events.APIGatewayProxyResponse, error) {
	res, err := h.KV.Client().KV.Namespaces.Keys.List(ctx, h.KV.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(h.KV.AccountID()),
		Prefix:    cloudflare.F("refill-status:" + patientID + ":"),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return fail(err)
	}
	return respond(http.StatusOK, map[string]bool{"has_refills": len(res.Result) > 0})
}

type nudgeRecord struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

func (h *RefillAPI) nudge(ctx context.Context, rxNumber string) (events.APIGatewayProxyResponse, error) {
	key := "refill-nudges:" + rxNumber
	var rec nudgeRecord
	if _, err := h.KV.GetJSON(ctx, key, &rec); err != nil {
		return fail(err)
	}
	if rec.Count >= 3 || time.Since(rec.Last) < time.Hour {
		return respond(http.StatusTooManyRequests, map[string]string{"error": "pharmacy already notified"})
	}
	rec.Count++
	rec.Last = time.Now().UTC()
	if err := h.KV.PutJSON(ctx, key, rec, 7*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return fail(err)
	}
	if err := h.Nudge(ctx, rxNumber); err != nil {
		return fail(err)
	}
	return respond(http.StatusAccepted, map[string]int{"nudges": rec.Count})
}

func (h *RefillAPI) verifyPickup(ctx context.Context, rxNumber, body string) (events.APIGatewayProxyResponse, error) {
	var in struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil || in.Code == "" {
		return respond(http.StatusBadRequest, map[string]string{"error": "code required"})
	}
	key := "pickup-otp:" + rxNumber
	var rec map[string]string
	found, err := h.KV.GetJSON(ctx, key, &rec)
	if err != nil {
		return fail(err)
	}
	if !found {
		return respond(http.StatusNotFound, map[string]string{"error": "no pickup pending"})
	}
	if subtle.ConstantTimeCompare([]byte(rec["code"]), []byte(in.Code)) != 1 {
		return respond(http.StatusForbidden, map[string]string{"error": "code mismatch"})
	}
	if err := h.KV.Delete(ctx, key); err != nil { // EXPECT kvsession
		return fail(err)
	}
	return respond(http.StatusOK, map[string]string{"pharmacy_ref": rec["pharmacy_ref"]})
}

// staffLogout revokes a clinician's access token until it would have expired
// anyway. The API Gateway authorizer checks the deny list on every call.
func (h *RefillAPI) staffLogout(ctx context.Context, claims map[string]any) (events.APIGatewayProxyResponse, error) {
	jti, _ := claims["jti"].(string)
	exp, _ := claims["exp"].(float64)
	if jti == "" {
		return respond(http.StatusBadRequest, map[string]string{"error": "token has no jti"})
	}
	ttl := max(time.Until(time.Unix(int64(exp), 0)), time.Minute)
	if err := h.KV.Put(ctx, "staff-jwt-denylist:"+jti, []byte("revoked"), ttl); err != nil { // EXPECT kvsession
		return fail(err)
	}
	return respond(http.StatusNoContent, nil)
}

func (h *RefillAPI) pharmacies(ctx context.Context) (events.APIGatewayProxyResponse, error) {
	key := "fhir-cache:" + pharmacyDirectoryQuery // EXPECT kvlimits
	body, err := h.KV.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		if body, err = h.Fetch(ctx, pharmacyDirectoryQuery); err == nil {
			err = h.KV.Put(ctx, key, body, 24*time.Hour)
		}
	}
	if err != nil {
		return fail(err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(body),
		Headers: map[string]string{"Content-Type": "application/fhir+json"}}, nil
}

func fail(err error) (events.APIGatewayProxyResponse, error) {
	return respond(http.StatusBadGateway, map[string]string{"error": err.Error()})
}

func respond(status int, v any) (events.APIGatewayProxyResponse, error) {
	resp := events.APIGatewayProxyResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return resp, err
		}
		resp.Body = string(b)
	}
	return resp, nil
}
