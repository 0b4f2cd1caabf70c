package tfprovider

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// toggleResource manages one feature toggle. Toggles with expires_in are
// experiments: they switch themselves off by expiring out of KV.
type toggleResource struct{ store *kvrest.Store }

type toggleModel struct {
	SiteID    types.String `tfsdk:"site_id"`
	Name      types.String `tfsdk:"name"`
	Enabled   types.Bool   `tfsdk:"enabled"`
	Percent   types.Int64  `tfsdk:"percent"`
	Note      types.String `tfsdk:"note"`
	ExpiresIn types.String `tfsdk:"expires_in"`
}

func newToggleResource() resource.Resource { return &toggleResource{} }

func (r *toggleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_toggle"
}

func (r *toggleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"site_id":    schema.StringAttribute{Required: true, Validators: []validator.String{slug{}}, PlanModifiers: replace},
			"name":       schema.StringAttribute{Required: true, Validators: []validator.String{slug{}}, PlanModifiers: replace},
			"enabled":    schema.BoolAttribute{Required: true},
			"percent":    schema.Int64Attribute{Optional: true},
			"note":       schema.StringAttribute{Optional: true},
			"expires_in": schema.StringAttribute{Optional: true, Description: `Go duration such as "72h"; the toggle is removed when it lapses.`},
		},
	}
}

func (r *toggleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *toggleResource) put(ctx context.Context, m toggleModel) error {
	t := site.Toggle{Name: m.Name.ValueString(), Enabled: m.Enabled.ValueBool(), Percent: int(m.Percent.ValueInt64()), Note: m.Note.ValueString()}
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		Value:    cloudflare.F(string(body)),
		Metadata: cloudflare.F[any](map[string]any{"enabled": t.Enabled, "percent": t.Percent}),
	}
	if s := m.ExpiresIn.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		params.ExpirationTTL = cloudflare.F(float64(d)) // EXPECT kvttl
	}
	return r.store.Write(ctx, site.ToggleKey(m.SiteID.ValueString(), m.Name.ValueString()), params)
}

func (r *toggleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan toggleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.put(ctx, plan); err != nil {
		resp.Diagnostics.AddError("Writing toggle", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *toggleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state toggleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	raw, err := r.store.Get(ctx, site.ToggleKey(state.SiteID.ValueString(), state.Name.ValueString()))
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Reading toggle", err.Error())
		return
	}
	var t site.Toggle
	if err := json.Unmarshal(raw, &t); err != nil {
		resp.Diagnostics.AddError("Decoding toggle", err.Error())
		return
	}
	state.Enabled = types.BoolValue(t.Enabled)
	if t.Percent != 0 || !state.Percent.IsNull() {
		state.Percent = types.Int64Value(int64(t.Percent))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *toggleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan toggleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.put(ctx, plan); err != nil {
		resp.Diagnostics.AddError("Writing toggle", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *toggleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state toggleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.store.Delete(ctx, site.ToggleKey(state.SiteID.ValueString(), state.Name.ValueString())); err != nil {
		resp.Diagnostics.AddError("Deleting toggle", err.Error())
	}
}
