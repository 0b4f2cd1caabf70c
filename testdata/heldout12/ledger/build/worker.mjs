// Entry point: the generated shim from workers-assets-gen plus a queue()
// handler that calls into the Go side (see internal/queuebridge).
import * as imports from "./shim.mjs";
import mod from "./app.wasm";

imports.init(mod);

export default {
  fetch: imports.fetch,
  scheduled: imports.scheduled,
  async queue(batch, env, ctx) {
    const binding = {};
    await imports.run(imports.createRuntimeContext(env, ctx, binding));
    return binding.handleQueueBatch(batch);
  },
};
