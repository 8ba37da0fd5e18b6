// dist/charts.js: Chart.js with all controllers, elements and scales
// registered (chart.js/auto), exposed as window.Chart.

import Chart from 'chart.js/auto';

window.Chart = Chart;
