/**
 * Stack names treated as production unless a policy's `productionStacks` config says
 * otherwise. env-sync refuses these as a target, with the same list.
 */
export const defaultProductionStacks = ["prod", "production"];
