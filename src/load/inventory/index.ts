// Ansible-compatible YAML inventories: loading, variable precedence, positions and host patterns.

export type { Inventory, InventoryGroup, InventoryHost, Position, VarOrigin } from '../../model/inventory.js';
export { loadInventory, type LoadOptions } from './load.js';
export { locate } from './locate.js';
export { selectHosts, splitHostPattern } from './limit.js';
export { expandHostnameRange, expandHostPattern, parseAddress } from './host-ranges.js';
export { loadExtraVars } from './extra-vars.js';
