-- Drives Neovim's built-in LSP client against qnn-language-server, as a user would, and
-- writes what it saw to $QNN_NVIM_OUT (JSON). Run by test/e2e/neovim.e2e.mjs as
--   nvim --headless -u init.lua -c 'luafile driver.lua'
-- with init.lua taken from docs/editors.md. Works with Neovim 0.7.2 (Debian 12) and newer.
local out = { steps = {} }
local file = vim.env.QNN_NVIM_FILE
local TIMEOUT = 30000

local function step(name)
  table.insert(out.steps, name)
end

local function lines(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

-- 0-based line and column of the first `needle` (plain text) at or after line `from`.
local function find(buf, needle, from)
  for i, l in ipairs(lines(buf)) do
    if i - 1 >= (from or 0) then
      local s = l:find(needle, 1, true)
      if s then
        return i - 1, s - 1
      end
    end
  end
  error('not in the buffer: ' .. needle)
end

-- A request from the cursor position, answered synchronously (the first client's result).
local function request_at(buf, method, line, col, extra)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  local params = vim.lsp.util.make_position_params()
  for k, v in pairs(extra or {}) do
    params[k] = v
  end
  local res, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not res then
    error(method .. ': ' .. tostring(err))
  end
  for _, r in pairs(res) do
    if r.err then
      error(method .. ': ' .. vim.inspect(r.err))
    end
    return r.result
  end
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype

  step('diagnostics')
  vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  out.clients = #vim.lsp.buf_get_clients(buf)
  out.omnifunc = vim.bo[buf].omnifunc -- set by init.lua's on_attach
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, {
      code = d.code,
      severity = d.severity,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      message = d.message,
    })
  end

  step('hover')
  local l, c = find(buf, 'layer fc1')
  local h = request_at(buf, 'textDocument/hover', l, c + 6)
  out.hover_layer = h and h.contents and (h.contents.value or h.contents) or vim.NIL
  l, c = find(buf, 'target')
  h = request_at(buf, 'textDocument/hover', l, c + 1)
  out.hover_target = h and h.contents and (h.contents.value or h.contents) or vim.NIL

  step('code lens')
  vim.lsp.codelens.refresh()
  vim.wait(TIMEOUT, function()
    local ls = vim.lsp.codelens.get(buf)
    return #ls > 0 and ls[1].command ~= nil
  end, 50)
  out.code_lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    table.insert(out.code_lenses, { line = lens.range.start.line, title = lens.command and lens.command.title or vim.NIL })
  end

  -- What the user sees at the line ends: the diagnostics' and the code lens's virtual text.
  out.virtual_text = {}
  local namespaces = vim.tbl_values(vim.api.nvim_get_namespaces())
  for _, dns in pairs(vim.diagnostic.get_namespaces()) do
    -- The diagnostics' virtual text lives in an anonymous namespace of their own.
    if dns.user_data and dns.user_data.virt_text_ns then
      table.insert(namespaces, dns.user_data.virt_text_ns)
    end
  end
  for _, ns in ipairs(namespaces) do
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
      for _, chunk in ipairs(m[4].virt_text or {}) do
        table.insert(out.virtual_text, { line = m[2], text = chunk[1] })
      end
    end
  end

  step('completion')
  -- The user deletes fc1's fold arguments and asks for completion inside `fold(`.
  l, c = find(buf, 'fold(pe=8, simd=8)', (find(buf, 'layer fc1')))
  local before = lines(buf)
  vim.api.nvim_buf_set_text(buf, l, c + 5, l, c + 17, {})
  local r = request_at(buf, 'textDocument/completion', l, c + 5)
  local items = r and (r.items or r) or {}
  out.completion = {}
  for _, it in ipairs(items) do
    table.insert(out.completion, { label = it.label, detail = it.detail or vim.NIL })
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, before)

  step('rename')
  l, c = find(buf, 'layer fc0')
  vim.api.nvim_win_set_cursor(0, { l + 1, c + 6 })
  vim.lsp.buf.rename('conv0')
  vim.wait(TIMEOUT, function()
    return table.concat(lines(buf), '\n'):find('layer conv0', 1, true) ~= nil
  end, 50)
  out.after_rename = table.concat(lines(buf), '\n')

  step('formatting')
  l = find(buf, 'layer a1')
  local messy = '    layer   a1=threshold( fc1,out=bipolar , thresholds=thresholds("weights/t1.npy"))'
  vim.api.nvim_buf_set_lines(buf, l, l + 1, false, { messy })
  out.messy_line = l
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ timeout_ms = TIMEOUT })
  else
    vim.lsp.buf.formatting_sync(nil, TIMEOUT)
  end
  out.after_format = table.concat(lines(buf), '\n')
  step('done')
end

local ok, err = pcall(run)
out.ok = ok
out.error = ok and vim.NIL or tostring(err)
vim.fn.writefile({ vim.fn.json_encode(out) }, vim.env.QNN_NVIM_OUT)
vim.cmd('qa!')
