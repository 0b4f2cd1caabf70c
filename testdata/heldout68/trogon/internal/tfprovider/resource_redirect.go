package tfprovider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

var _ resource.ResourceWithImportState = (*redirectResource)(nil)

// redirectResource manages one rule of a site's redirect table. The Worker
// reads the whole table with a single get, so all rules of a site share
// one KV value.
type redirectResource struct{ store *kvrest.Store }

type redirectModel struct {
	ID     types.String `tfsdk:"id"`
	SiteID types.String `tfsdk:"site_id"`
	From   types.String `tfsdk:"from"`
	To     types.String `tfsdk:"to"`
	Status types.Int64  `tfsdk:"status"`
}

func newRedirectResource() resource.Resource { return &redirectResource{} }

func (r *redirectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_redirect"
}

func (r *redirectResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":      schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"site_id": schema.StringAttribute{Required: true, Validators: []validator.String{slug{}}, PlanModifiers: replace},
			"from":    schema.StringAttribute{Required: true, PlanModifiers: replace},
			"to":      schema.StringAttribute{Required: true},
			"status":  schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(301)},
		},
	}
}

func (r *redirectResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (m redirectModel) rule() site.Redirect {
	return site.Redirect{From: m.From.ValueString(), To: m.To.ValueString(), Status: int(m.Status.ValueInt64())}
}

func (r *redirectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan redirectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key := site.RedirectsKey(plan.SiteID.ValueString())
	var rules []site.Redirect
	if raw, err := r.store.Get(ctx, key); err == nil { // EXPECT kvnull
		if err := json.Unmarshal(raw, &rules); err != nil {
			resp.Diagnostics.AddError("Decoding redirect table", err.Error())
			return
		}
	}
	if slices.ContainsFunc(rules, func(x site.Redirect) bool { return x.From == plan.From.ValueString() }) {
		resp.Diagnostics.AddAttributeError(path.Root("from"), "Duplicate redirect", "a redirect from this path already exists; import it instead")
		return
	}
	rules = append(rules, plan.rule())
	body, _ := json.Marshal(rules)
	if err := r.store.Put(ctx, key, string(body), 0); err != nil { // EXPECT kvrace
		resp.Diagnostics.AddError("Writing redirect table", err.Error())
		return
	}
	plan.ID = types.StringValue(plan.SiteID.ValueString() + ":" + plan.From.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *redirectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state redirectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rules, err := r.load(ctx, state.SiteID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading redirect table", err.Error())
		return
	}
	i := slices.IndexFunc(rules, func(x site.Redirect) bool { return x.From == state.From.ValueString() })
	if i < 0 {
		resp.State.RemoveResource(ctx)
		return
	}
	state.To = types.StringValue(rules[i].To)
	state.Status = types.Int64Value(int64(rules[i].Status))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *redirectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan redirectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.edit(ctx, plan.SiteID.ValueString(), func(rules []site.Redirect) []site.Redirect {
		for i := range rules {
			if rules[i].From == plan.From.ValueString() {
				rules[i] = plan.rule()
			}
		}
		return rules
	})
	if err != nil {
		resp.Diagnostics.AddError("Updating redirect", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *redirectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state redirectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	from := state.From.ValueString()
	err := r.edit(ctx, state.SiteID.ValueString(), func(rules []site.Redirect) []site.Redirect {
		return slices.DeleteFunc(rules, func(x site.Redirect) bool { return x.From == from })
	})
	if err != nil {
		resp.Diagnostics.AddError("Deleting redirect", err.Error())
	}
}

func (r *redirectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	siteID, from, ok := strings.Cut(req.ID, ":")
	if !ok || siteID == "" || from == "" {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("expected <site_id>:<from>, got %q", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("site_id"), siteID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("from"), from)...)
}

func (r *redirectResource) load(ctx context.Context, siteID string) ([]site.Redirect, error) {
	raw, err := r.store.Get(ctx, site.RedirectsKey(siteID))
	if errors.Is(err, kvrest.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rules []site.Redirect
	return rules, json.Unmarshal(raw, &rules)
}

// edit applies fn to the site's redirect table and stores the result.
func (r *redirectResource) edit(ctx context.Context, siteID string, fn func([]site.Redirect) []site.Redirect) error {
	rules, err := r.load(ctx, siteID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(fn(rules))
	if err != nil {
		return err
	}
	return r.store.Put(ctx, site.RedirectsKey(siteID), string(body), 0) // EXPECT kvrace
}
