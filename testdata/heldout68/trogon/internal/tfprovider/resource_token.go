package tfprovider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// deployTokenResource mints the tokens CI pipelines present to the
// Worker's deploy hook. Only the token's hash is stored.
type deployTokenResource struct{ store *kvrest.Store }

type deployTokenModel struct {
	ID     types.String `tfsdk:"id"`
	SiteID types.String `tfsdk:"site_id"`
	Label  types.String `tfsdk:"label"`
	Scopes types.List   `tfsdk:"scopes"`
	Token  types.String `tfsdk:"token"`
	Hash   types.String `tfsdk:"hash"`
}

func newDeployTokenResource() resource.Resource { return &deployTokenResource{} }

func (r *deployTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deploy_token"
}

func (r *deployTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":      schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"site_id": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"label":   schema.StringAttribute{Optional: true},
			"scopes":  schema.ListAttribute{Required: true, ElementType: types.StringType},
			"token":   schema.StringAttribute{Computed: true, Sensitive: true, PlanModifiers: keep},
			"hash":    schema.StringAttribute{Computed: true, PlanModifiers: keep},
		},
	}
}

func (r *deployTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *deployTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan deployTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var secret, id [16]byte
	_, _ = rand.Read(secret[:])
	_, _ = rand.Read(id[:])
	token := "trg_" + hex.EncodeToString(secret[:])
	sum := sha256.Sum256([]byte(token))
	hash := hex.EncodeToString(sum[:])

	rec := site.TokenRecord{ID: hex.EncodeToString(id[:8]), SiteID: plan.SiteID.ValueString(), Label: plan.Label.ValueString(), CreatedAt: time.Now().UTC()}
	resp.Diagnostics.Append(plan.Scopes.ElementsAs(ctx, &rec.Scopes, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body, _ := json.Marshal(rec)
	if err := r.store.Put(ctx, site.TokenKey(hash), string(body), 0); err != nil {
		resp.Diagnostics.AddError("Storing deploy token", err.Error())
		return
	}
	plan.ID = types.StringValue(rec.ID)
	plan.Token = types.StringValue(token)
	plan.Hash = types.StringValue(hash)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deployTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state deployTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err := r.store.Get(ctx, site.TokenKey(state.Hash.ValueString()))
	if errors.Is(err, kvrest.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading deploy token", err.Error())
	}
}

// Update changes label and scopes in place so CI keeps its secret.
func (r *deployTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan deployTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key := site.TokenKey(plan.Hash.ValueString())
	raw, err := r.store.Get(ctx, key)
	if err != nil {
		resp.Diagnostics.AddError("Reading deploy token", err.Error())
		return
	}
	var rec site.TokenRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		resp.Diagnostics.AddError("Decoding deploy token", err.Error())
		return
	}
	rec.Label = plan.Label.ValueString()
	rec.Scopes = nil
	resp.Diagnostics.Append(plan.Scopes.ElementsAs(ctx, &rec.Scopes, false)...)
	body, _ := json.Marshal(rec)
	if err := r.store.Put(ctx, key, string(body), 0); err != nil { // EXPECT kvsession|kvrace
		resp.Diagnostics.AddError("Updating deploy token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deployTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state deployTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.store.Delete(ctx, site.TokenKey(state.Hash.ValueString())); err != nil { // EXPECT kvsession
		resp.Diagnostics.AddError("Revoking deploy token", err.Error())
	}
}
